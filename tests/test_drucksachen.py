"""Council paper references in the forms a report declares (patterns with named parts)."""

from __future__ import annotations

import pytest
from berichtswerk.data.drucksachen import (
    format_problems,
    formats_from,
    parse_drucksache,
    parse_drucksachen,
)

HANNOVER = {"formate": {"drucksachen": [
    {"name": "Drucksache", "muster": r"(?P<nummer>\d{4}) \((?P<wahlperiode>[IVXLC]+)\) (?P<art>BDs|IDs)",
     "beispiel": "2718 (IV) BDs"}]}}
KREIS = {"formate": {"drucksachen": [
    {"name": "Vorlage", "muster": r"(?P<art>BV|MV)/(?P<wahlperiode>\d{4})/(?P<nummer>\d{4})", "beispiel": "BV/2020/0418"},
    {"name": "Antrag", "muster": r"A (?P<nummer>\d+)", "beispiel": "A 12"}]}}


def test_parts_come_from_the_declared_pattern() -> None:
    d = parse_drucksache("2718 (VIII) BDs", formats_from(HANNOVER))  # a Wahlperiode beyond VII
    assert (d.nummer, d.wahlperiode, d.art, d.kennung, str(d)) == ("2718", "VIII", "BDs", "2718 (VIII) BDs",
                                                                     "2718 (VIII) BDs")
    v = parse_drucksache("MV/2020/0733", formats_from(KREIS))
    assert (v.art, v.wahlperiode, v.nummer) == ("MV", "2020", "0733")
    assert parse_drucksache("A 12", formats_from(KREIS)).wahlperiode is None


def test_note_is_kept_but_not_part_of_the_identity() -> None:
    refs = parse_drucksachen("2832 (IV) BDs (übrige Willkommensorte); 2832 (IV) BDs (aktive Eltern)",
                             formats_from(HANNOVER))
    assert [r.hinweis for r in refs] == ["übrige Willkommensorte", "aktive Eltern"]
    assert {r.kennung for r in refs} == {"2832 (IV) BDs"}


@pytest.mark.parametrize("bad", ["2718 IV BDs", "BV 2020 0418", "BV/20/0418", "372/2009"])
def test_reference_matching_no_form_names_every_form_tried(bad: str) -> None:
    with pytest.raises(ValueError, match="„BV/2020/0418“ \\(Vorlage\\) oder „A 12“ \\(Antrag\\)"):
        parse_drucksache(bad, formats_from(KREIS))


def test_without_declared_forms_references_count_as_written() -> None:
    assert [str(d) for d in parse_drucksachen("Vorlage 7; Antrag 9", [])] == ["Vorlage 7", "Antrag 9"]
    assert parse_drucksachen(None, []) == [] and parse_drucksachen(float("nan"), []) == []


def test_broken_forms_are_reported() -> None:
    broken = {"formate": {"drucksachen": [{"muster": "(?P<nr>\\d+"}, {"muster": "(?P<art>X)"},
                                          {"muster": "(?P<nummer>\\d+)", "beispiel": "abc"}]}}
    problems = format_problems(broken)
    assert len(problems) == 3 and "kein gültiger regulärer Ausdruck" in problems[0]
    assert "(?P<nummer>…)" in problems[1] and "passt nicht zum Muster" in problems[2]
