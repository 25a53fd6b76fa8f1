"""Anchors and links to them in the report's HTML. Our templates write both in one form each, so a
pattern finds them; the chapter pages and the PDF's parts both need to know which anchor a piece
of the report holds and which it links to."""

from __future__ import annotations

import re

#: an element's anchor: ``id="…"``
ANCHOR = re.compile(r'\sid="([^"]+)"')
#: a link to an anchor of the same page: ``href="#…"``
LINK = re.compile(r'href="#([^"]+)"')
