"""The rules of the measures table (``massnahmen.csv``, or an analyst's workbook): a pandera schema,
validated lazily so that every failing cell is collected, each problem located as the analyst sees
the sheet (file, row, column, value, what was expected). The typed loader and ``check`` use the same
rules; ``einlesen`` checks returned workbooks with them too."""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

from berichtswerk.core.errors import Problem, did_you_mean
from berichtswerk.data import drucksachen, schema
from berichtswerk.data.tables import spreadsheet_row


def measures_schema(handlungsfelder: list[str] | None, oe_codes: set[str] | None,
                    formats: list[drucksachen.Format], number_pattern: str) -> Any:
    """The pandera schema of ``massnahmen.csv``; check names are keys of :data:`_EXPLAIN`.

    ``None`` for the Handlungsfelder or units: their file could not be read (reported once there),
    so the cells referring to them are not checked against it."""
    import pandera.pandas as pa

    def text_column(nullable: bool) -> pa.Column:
        return pa.Column(object, nullable=nullable, required=True)

    return pa.DataFrameSchema(
        {
            "nr": pa.Column(
                object,
                checks=[
                    pa.Check(lambda v: re.fullmatch(number_pattern, str(v).strip()) is not None,
                             element_wise=True, name="nr_format", ignore_na=True),
                    pa.Check(lambda s: s.isna() | ~s.duplicated(keep=False), name="nr_eindeutig"),
                ],
                nullable=True,
            ),
            "handlungsfeld": pa.Column(
                object, [pa.Check.isin(handlungsfelder, name="handlungsfeld_bekannt")] if handlungsfelder is not None
                else [], nullable=False
            ),
            "ziel": text_column(False),
            "titel": text_column(False),
            "beschreibung": text_column(False),
            "status": pa.Column(object, [pa.Check.isin(list(schema.STATUS), name="status_bekannt")], nullable=False),
            "oe": pa.Column(
                object,
                [pa.Check(lambda v: all(c in oe_codes for c in schema.split_oe(v)),
                          element_wise=True, name="oe_bekannt", ignore_na=True)] if oe_codes is not None else [],
                nullable=True,
            ),
            "drucksachen": pa.Column(
                object,
                pa.Check(lambda v: all(drucksachen.is_valid(p, formats) for p in drucksachen.split_references(v)),
                         element_wise=True, name="drucksache_format", ignore_na=True),
                nullable=True,
            ),
            "weitere_infos": text_column(True),
        },
        strict=True,
        coerce=False,
    )


_EXPLAIN = {
    "not_nullable": ("Pflichtfeld ist leer", "ein Eintrag"),
    "nr_format": ("Nr. hat nicht die Form der Maßnahmen-Nummern", "eine Nr. wie „42“ oder leer für Zeilen ohne Nr."),
    "nr_eindeutig": ("Nr. kommt mehrfach vor", "jede Nr. genau einmal"),
}


def validate_measures(
    frame: pd.DataFrame, file_name: str, handlungsfelder: list[str] | None, oe_codes: set[str] | None,
    formats: list[drucksachen.Format] | None = None, number_pattern: str = schema.DEFAULT_MEASURE_NUMBER,
) -> list[Problem]:
    """Every problem of the measures table, in sheet order (column problems first)."""
    import pandera.pandas as pa

    problems: list[Problem] = []
    expected_columns = ", ".join(schema.MEASURES_COLUMNS)
    try:
        measures_schema(handlungsfelder, oe_codes, formats or [], number_pattern).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
        for case in cases.itertuples(index=False):
            check = str(case.check)
            value = None if pd.isna(case.failure_case) else str(case.failure_case)
            if check == "column_in_dataframe":
                problems.append(Problem(file_name, "Spalte fehlt", f"die Spalten {expected_columns}",
                                        zeile=1, spalte=value))
                continue
            if check == "column_in_schema":
                problems.append(Problem(file_name, "unbekannte Spalte", f"nur die Spalten {expected_columns}",
                                        zeile=1, spalte=value))
                continue
            if check.startswith("dtype"):
                continue
            row = spreadsheet_row(case.index) if not pd.isna(case.index) else None
            column = case.column
            if column == "status" and check != "not_nullable":
                problems.append(Problem(file_name, "unbekannter Status", "einer von " + ", ".join(
                    f"„{s}“ ({erklaerung})" for s, erklaerung in schema.STATUS.items()) + did_you_mean(value or "", schema.STATUS),
                    zeile=row, spalte=column, wert=value))
            elif check.startswith("handlungsfeld_bekannt") or check.startswith("isin"):
                problems.append(Problem(file_name, "unbekanntes Handlungsfeld",
                                        "eines der Handlungsfelder " + ", ".join(f"„{h}“" for h in handlungsfelder)
                                        + did_you_mean(value or "", handlungsfelder),
                                        zeile=row, spalte=column, wert=value))
            elif check == "oe_bekannt":
                unknown = [c for c in schema.split_oe(value) if c not in oe_codes]
                problems.append(Problem(file_name, "unbekannte Organisationseinheit " +
                                        ", ".join(f"„{c}“" for c in unknown),
                                        "Codes aus organisationseinheiten.csv (Spalte „oe“), mehrere durch „, “ getrennt"
                                        + (did_you_mean(unknown[0], {c for c in oe_codes if not c[0].isdigit()})
                                           if unknown and not unknown[0][0].isdigit() else ""),
                                        zeile=row, spalte=column, wert=value))
            elif check == "drucksache_format":
                bad = [p for p in drucksachen.split_references(value) if not drucksachen.is_valid(p, formats or [])]
                problems.append(Problem(file_name, "Drucksache nicht erkannt: " +
                                        ", ".join(f"„{b}“" for b in bad),
                                        drucksachen.expected(formats or []) + " (andere Quellen gehören in „weitere_infos“)",
                                        zeile=row, spalte=column, wert=value))
            elif check == "nr_format":
                problems.append(Problem(file_name, "Nr. hat nicht die Form der Maßnahmen-Nummern",
                                        f"eine Nr. der Form {number_pattern!r} (bericht.yaml, formate.massnahme_nr) "
                                        "oder leer für Zeilen ohne Nr.", zeile=row, spalte=column, wert=value))
            else:
                message, expected = _EXPLAIN.get(check, (f"Regel „{check}“ verletzt", ""))
                problems.append(Problem(file_name, message, expected, zeile=row, spalte=column, wert=value))
    return sorted(problems, key=lambda p: (p.zeile or 0, schema.MEASURES_COLUMNS.index(p.spalte)
                                           if p.spalte in schema.MEASURES_COLUMNS else -1))
