"""``daten/``: the numbers behind the report as open data, beside the report.

Every dataset of the report – the public columns of the data tables (:data:`schema.FELDER`), every
table of the report and the data of every figure that has them – as CSV (UTF-8, comma, dot decimals,
ISO dates: for machines, unlike the German-formatted tables of the design handoff) and as JSON (a list
of records), described by a Frictionless ``datapackage.json`` (Table Schema with German titles) and by
DCAT-AP.de metadata (``dcat.ttl``, Turtle) for open-data portals such as GovData. Licence, contact,
themes and coverage come from ``offene_daten`` in ``bericht.yaml``.

Without ``offene_daten.adresse`` (where ``daten/`` is published) the DCAT document refers to its files
relatively – valid wherever the folder is served beside the report. Cells a spreadsheet would read as a
formula begin with an apostrophe in the CSV files (as in the handoff); the JSON keeps every value as is."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from berichtswerk.assembly.handoff import inert
from berichtswerk.data import load, schema
from berichtswerk.markup.markdown import slug

FOLDER = "daten"
#: The data tables published, with what the open data call them.
DATA_TABLES = {
    "massnahmen": "Maßnahmen",
    "ziele": "Ziele",
    "organisationseinheiten": "Organisationseinheiten",
    "dezernate": "Dezernate",
}


@dataclass(frozen=True)
class Field:
    name: str        # the CSV header: lower case, no spaces (for machines)
    titel: str       # as the report names the column
    typ: str         # Table Schema type
    beschreibung: str = ""


@dataclass(frozen=True)
class Dataset:
    name: str        # file stem in daten/ and resource name
    titel: str
    beschreibung: str
    felder: tuple[Field, ...]
    zeilen: tuple[tuple[Any, ...], ...]


# --- collecting ----------------------------------------------------------------------------------------


def datasets(data_dir: Path, resources: dict[str, Any]) -> list[Dataset]:
    """The data tables' public columns, then every report table and figure with data, in report order."""
    found = []
    for key, titel in DATA_TABLES.items():
        frame = load.load_public(key, data_dir)
        declared = schema.public_fields(key)
        fields = tuple(Field(name, declared[name].titel, declared[name].typ, declared[name].beschreibung)
                       for name in frame.columns)
        rows = tuple(tuple(None if not schema.is_filled(v) else str(v) for v in row)
                     for row in frame.itertuples(index=False, name=None))
        found.append(Dataset(key, titel, f"{titel} aus data/{schema.FILES[key]} (öffentliche Spalten)", fields, rows))
    for kind, label in (("tabellen", "Tabelle"), ("abbildungen", "Abbildung")):
        for item in resources.get(kind, []):
            table = item["daten"] if kind == "abbildungen" else item
            if not item.get("offen") or not table:
                continue
            titel = item.get("titel") or table.get("titel") or item["offen"]
            where = item.get("herkunft") or ""
            found.append(Dataset(item["offen"], titel, f"{'Daten der ' if kind == 'abbildungen' else ''}{label} "
                                 f"„{titel}“ im Bericht ({where})", _fields(table), tuple(
                                     tuple(row) for row in table.get("zeilen", []))))
    return found


def _fields(table: dict[str, Any]) -> tuple[Field, ...]:
    columns = [str(c) for c in table.get("spalten", [])]
    types = list(table.get("typen") or []) or [_inferred(table.get("zeilen", []), i) for i in range(len(columns))]
    names: list[str] = []
    for column in columns:
        name = slug(column).replace("-", "_") or "spalte"
        while name in names:
            name += "_2"
        names.append(name)
    return tuple(Field(n, c, t) for n, c, t in zip(names, columns, types, strict=True))


def _inferred(rows: list[list[Any]], index: int) -> str:
    values = [row[index] for row in rows if index < len(row) and row[index] is not None]
    if values and all(isinstance(v, bool) for v in values):
        return "boolean"
    if values and all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return "integer"
    if values and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return "number"
    return "string"


# --- writing -----------------------------------------------------------------------------------------------


def _cell(value: Any, typ: str) -> Any:
    """A value as CSV and Table Schema read it: ISO dates, dot decimals, true/false, empty for none."""
    if value is None:
        return ""
    if typ == "boolean":
        return "true" if value else "false"
    if typ == "date":
        return str(value)[:10]
    if typ == "integer" and isinstance(value, float) and value.is_integer():
        return int(value)
    return inert(value) if isinstance(value, str) else value


def csv_bytes(dataset: Dataset) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f.name for f in dataset.felder])
    for row in dataset.zeilen:
        writer.writerow([_cell(v, f.typ) for v, f in zip(row, dataset.felder, strict=True)])
    return buffer.getvalue().encode("utf-8")


def json_bytes(dataset: Dataset) -> bytes:
    records = [{f.name: v for f, v in zip(dataset.felder, row, strict=True)} for row in dataset.zeilen]
    return (json.dumps(records, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def settings(bericht: dict[str, Any]) -> dict[str, Any]:
    """``offene_daten`` of ``bericht.yaml`` with the defaults filled in."""
    given = bericht.get("offene_daten") if isinstance(bericht.get("offene_daten"), dict) else {}
    contact = given.get("kontakt") if isinstance(given.get("kontakt"), dict) else {}
    return {
        "lizenz": str(given.get("lizenz") or schema.DEFAULT_LICENCE),
        "adresse": str(given["adresse"]).rstrip("/") + "/" if given.get("adresse") else None,
        "landingpage": given.get("landingpage"),
        "kontakt": {"name": contact.get("name") or ", ".join(str(p) for p in (bericht.get("herausgeber"),
                                                                             bericht.get("stelle")) if p),
                    "url": contact.get("url"), "email": contact.get("email"), "telefon": contact.get("telefon")},
        "themen": [str(t) for t in (given.get("themen") or schema.DEFAULT_THEMES)],
        "schlagworte": [str(k) for k in (given.get("schlagworte") or [])],
        "raum": given.get("raum"),
        "zeitraum": given.get("zeitraum") if isinstance(given.get("zeitraum"), dict) else {},
        "govdata_id": given.get("govdata_id"),
    }


def datapackage(found: list[Dataset], bericht: dict[str, Any]) -> dict[str, Any]:
    """The Frictionless Data Package: every dataset as a CSV resource with its Table Schema."""
    options = settings(bericht)
    licence_title, licence_text = schema.LICENCES[options["lizenz"]]
    return {
        "name": slug(str(bericht.get("titel", "bericht"))) + "-daten",
        "title": f"Daten zum Bericht „{bericht.get('titel', '')}“",
        "description": _description(bericht),
        "licenses": [{"name": options["lizenz"], "title": licence_title, "path": licence_text}],
        "sources": [{"title": str(bericht.get("herausgeber", "")),
                     **({"path": options["landingpage"]} if options["landingpage"] else {})}],
        "keywords": options["schlagworte"],
        **({"created": f"{_date(bericht.get('datum'))}T00:00:00Z"} if bericht.get("datum") else {}),
        "resources": [{
            "name": d.name.lower(), "path": f"{d.name}.csv", "title": d.titel, "description": d.beschreibung,
            "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
            "schema": {"fields": [{"name": f.name, "title": f.titel, "type": f.typ,
                                   **({"description": f.beschreibung} if f.beschreibung else {})} for f in d.felder],
                       "missingValues": [""]},
        } for d in found],
    }


def _description(bericht: dict[str, Any]) -> str:
    return (f"Die Daten hinter dem Bericht „{bericht.get('titel', '')} – {bericht.get('untertitel', '')}“ "
            f"({bericht.get('herausgeber', '')}, {bericht.get('stelle', '')}): die Maßnahmen mit Handlungsfeld, "
            "Ziel, Status und zuständiger Organisationseinheit, die Ziele und Organisationseinheiten sowie die "
            "Daten jeder Tabelle und Abbildung des Berichts, als CSV und JSON.")


def _date(value: Any) -> str | None:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()[:10]
    return str(value)[:10] if value else None


def write_open_data(target: Path, found: list[Dataset], bericht: dict[str, Any],
                    catalogue: bool = True) -> list[Path]:
    """Write ``daten/`` into ``target``; the files written, relative to ``target``. ``catalogue``:
    also ``datapackage.json`` and ``dcat.ttl``, which describe the files for portals – the preview's
    page links only the files themselves."""
    folder = target / FOLDER
    folder.mkdir(parents=True)
    written = []
    for dataset in found:
        for suffix, content in (("csv", csv_bytes(dataset)), ("json", json_bytes(dataset))):
            (folder / f"{dataset.name}.{suffix}").write_bytes(content)
            written.append(Path(FOLDER) / f"{dataset.name}.{suffix}")
    if not catalogue:
        return written
    (folder / "datapackage.json").write_text(json.dumps(datapackage(found, bericht), ensure_ascii=False, indent=1)
                                             + "\n", encoding="utf-8")
    (folder / "dcat.ttl").write_text(dcat_turtle(found, bericht, folder), encoding="utf-8")
    return written + [Path(FOLDER) / "datapackage.json", Path(FOLDER) / "dcat.ttl"]


# --- DCAT-AP.de -----------------------------------------------------------------------------------------

#: Where the files are while the graph is made, when no address is configured (a reserved domain):
#: every IRI under it is written relative, so it resolves against wherever dcat.ttl is published.
_PLACEHOLDER_BASE = "https://berichtswerk.invalid/daten/"
_PLACEHOLDER_IRI = re.compile(r"<" + re.escape(_PLACEHOLDER_BASE) + r"([^<>\s]*)>")


def dcat_turtle(found: list[Dataset], bericht: dict[str, Any], folder: Path) -> str:
    """DCAT-AP.de 2.0 for the dataset and its distributions (each CSV and JSON file, the data package)."""
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, SKOS, XSD

    vcard = Namespace("http://www.w3.org/2006/vcard/ns#")
    dcatde = Namespace("http://dcat-ap.de/def/dcatde/")
    options = settings(bericht)
    base = options["adresse"] or _PLACEHOLDER_BASE
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", vcard),
                              ("dcatde", dcatde), ("skos", SKOS), ("xsd", XSD)):
        graph.bind(prefix, namespace)

    dataset = URIRef(base + "dcat.ttl#datensatz")
    publisher = URIRef(base + "dcat.ttl#herausgeber")
    licence = URIRef(f"http://dcat-ap.de/def/licenses/{options['lizenz']}")
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.title, Literal(f"Daten zum Bericht „{bericht.get('titel', '')}“", lang="de")))
    graph.add((dataset, DCTERMS.description, Literal(_description(bericht), lang="de")))
    graph.add((dataset, DCTERMS.identifier, Literal(str(options["landingpage"] or base) + "#daten")))
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((publisher, RDF.type, FOAF.Organization))
    graph.add((publisher, FOAF.name, Literal(str(bericht.get("herausgeber", "")), lang="de")))
    graph.add((dataset, DCTERMS.language, URIRef("http://publications.europa.eu/resource/authority/language/DEU")))
    issued = _date(bericht.get("datum"))
    if issued:
        graph.add((dataset, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
        graph.add((dataset, DCTERMS.modified, Literal(issued, datatype=XSD.date)))
    for theme in options["themen"]:
        graph.add((dataset, DCAT.theme, URIRef(f"http://publications.europa.eu/resource/authority/data-theme/{theme}")))
    for keyword in options["schlagworte"]:
        graph.add((dataset, DCAT.keyword, Literal(keyword, lang="de")))
    if options["landingpage"]:
        graph.add((dataset, DCAT.landingPage, URIRef(options["landingpage"])))
    if options["govdata_id"]:
        graph.add((dataset, dcatde.contributorID, URIRef(f"http://dcat-ap.de/def/contributors/{options['govdata_id']}")))

    contact = BNode("kontakt")
    graph.add((dataset, DCAT.contactPoint, contact))
    graph.add((contact, RDF.type, vcard.Organization))
    graph.add((contact, vcard.fn, Literal(options["kontakt"]["name"], lang="de")))
    if options["kontakt"]["url"]:
        graph.add((contact, vcard.hasURL, URIRef(options["kontakt"]["url"])))
    if options["kontakt"]["email"]:
        graph.add((contact, vcard.hasEmail, URIRef(f"mailto:{options['kontakt']['email']}")))
    if options["kontakt"]["telefon"]:
        graph.add((contact, vcard.hasTelephone, URIRef("tel:" + re.sub(r"[^\d+]", "", str(options["kontakt"]["telefon"])))))
    if options["raum"]:
        place = BNode("raum")
        graph.add((dataset, DCTERMS.spatial, place))
        graph.add((place, RDF.type, DCTERMS.Location))
        graph.add((place, SKOS.prefLabel, Literal(str(options["raum"]), lang="de")))
    period = options["zeitraum"]
    if period.get("von") or period.get("bis"):
        node = BNode("zeitraum")
        graph.add((dataset, DCTERMS.temporal, node))
        graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
        for key, predicate in (("von", DCAT.startDate), ("bis", DCAT.endDate)):
            if period.get(key):
                value = period[key]
                kind = XSD.gYear if isinstance(value, int) or re.fullmatch(r"\d{4}", str(value)) else XSD.date
                graph.add((node, predicate, Literal(_date(value) if kind == XSD.date else str(value), datatype=kind)))

    attribution = ", ".join(str(p) for p in (bericht.get("herausgeber"), bericht.get("stelle")) if p)
    files = [(f"{d.name}.{suffix}", d.titel, d.beschreibung, suffix) for d in found for suffix in ("csv", "json")]
    files.append(("datapackage.json", "Beschreibung aller Tabellen (Frictionless Data Package)",
                  "Alle CSV-Dateien mit Spalten, Typen und Beschreibungen (Table Schema)", "json"))
    media = {"csv": ("CSV", "text/csv"), "json": ("JSON", "application/json")}
    for name, titel, beschreibung, suffix in files:
        distribution = URIRef(base + name)
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        graph.add((distribution, DCTERMS.title, Literal(f"{titel} ({media[suffix][0]})", lang="de")))
        graph.add((distribution, DCTERMS.description, Literal(beschreibung, lang="de")))
        graph.add((distribution, DCAT.accessURL, distribution))
        graph.add((distribution, DCAT.downloadURL, distribution))
        file_type = URIRef(f"http://publications.europa.eu/resource/authority/file-type/{media[suffix][0]}")
        graph.add((distribution, DCTERMS.format, file_type))
        graph.add((file_type, RDF.type, DCTERMS.MediaTypeOrExtent))
        media_type = URIRef(f"https://www.iana.org/assignments/media-types/{media[suffix][1]}")
        graph.add((distribution, DCAT.mediaType, media_type))
        graph.add((media_type, RDF.type, DCTERMS.MediaType))
        graph.add((distribution, DCTERMS.license, licence))
        graph.add((distribution, dcatde.licenseAttributionByText, Literal(attribution, lang="de")))
        if (folder / name).is_file():
            graph.add((distribution, DCAT.byteSize, Literal((folder / name).stat().st_size, datatype=XSD.decimal)))
    if options["adresse"] is None:
        return _PLACEHOLDER_IRI.sub(lambda m: f"<{m.group(1)}>", graph.serialize(format="turtle"))
    return graph.serialize(format="turtle", base=base)
