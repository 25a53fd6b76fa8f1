from __future__ import annotations

import pytest
from berichtswerk.drucksachen import Drucksache, parse_drucksache, parse_drucksachen


def test_parses_number_wahlperiode_and_kind() -> None:
    d = parse_drucksache("2718 (IV) BDs")
    assert (d.nummer, d.wahlperiode, d.art, d.art_name) == ("2718", "IV", "BDs", "Beschlussdrucksache")
    assert str(d) == "2718 (IV) BDs"


def test_note_is_kept_but_not_part_of_the_identity() -> None:
    refs = parse_drucksachen("2832 (IV) BDs (übrige Willkommensorte); 2832 (IV) BDs (aktive Eltern)")
    assert [r.hinweis for r in refs] == ["übrige Willkommensorte", "aktive Eltern"]
    assert {r.kennung for r in refs} == {"2832 (IV) BDs"}


@pytest.mark.parametrize("bad", ["2718 IV BDs", "BDs 2718 (IV)", "2718 (IV) Bds", "372/2009", "27 (IV) BDs"])
def test_malformed_reference_names_the_expected_form(bad: str) -> None:
    with pytest.raises(ValueError, match="NNNN \\(WP\\) BDs"):
        parse_drucksache(bad)


def test_empty_cell_has_no_references() -> None:
    assert parse_drucksachen(None) == [] and parse_drucksachen(float("nan")) == []
    assert Drucksache("0001", "III", "IDs").art_name == "Informationsdrucksache"
