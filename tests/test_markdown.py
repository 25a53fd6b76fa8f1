"""Prose from data and notebooks is sanitised by construction: nothing an author writes is executable."""

from __future__ import annotations

import pytest
from berichtswerk.markup import markdown

ATTACKS = [
    "<script>alert(1)</script>",
    '<img src="x" onerror="alert(1)">',
    "[klick](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    '<iframe src="https://example.org"></iframe>',
    '<link rel="attachment" href="file:///etc/passwd">',
    '<a rel="attachment" href="file:///etc/passwd">anhang</a>',
    '<object data="x.swf"></object>',
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<div style="background:url(javascript:alert(1))" onclick="x()">text</div>',
    '<p onmouseover="alert(1)">text</p>',
    '<form action="https://example.org"><input name="a"></form>',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://example.org">',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_no_active_content_survives(attack: str) -> None:
    html = markdown.render(f"Text davor\n\n{attack}\n\nText danach").lower()
    for marker in ("<script", "onerror", "onload", "onclick", "onmouseover", "javascript:", "data:text",
                   "<iframe", "<object", "<svg", "<style", "<meta", "<form", "<input", "file:", "attachment",
                   "style="):
        assert marker not in html, (attack, html)
    assert "text davor" in html and "text danach" in html
    assert markdown.removed_content(f"Text\n\n{attack}")


def test_allowed_prose_keeps_its_form() -> None:
    html = markdown.render("## Titel {#sec-x .unnumbered}\n\n**fett** und [Link](https://example.org) "
                           "und <mailto:a@example.org>\n\n<div class=\"anmerkungen\">\n\n¹ Fußnote\n\n</div>")
    assert '<h2 id="sec-x" class="unnumbered">Titel</h2>' in html
    assert '<a href="https://example.org">Link</a>' in html and 'href="mailto:a@example.org"' in html
    assert '<div class="anmerkungen">' in html and "<strong>fett</strong>" in html
    assert markdown.removed_content("**fett** und [Link](https://example.org)") == []


def test_citations_and_cross_references_become_links() -> None:
    html = markdown.render("Siehe @sec-anhang und Angebote (vgl. Anhang Maßnahme Nr. 12).")
    assert '<a class="querverweis" href="#sec-anhang">' in html
    assert '<a class="verweis" href="#massnahme-12">vgl. Anhang Maßnahme Nr.&nbsp;12</a>' in html
    assert "mail@sec-x.de" in markdown.render("mail@sec-x.de")
