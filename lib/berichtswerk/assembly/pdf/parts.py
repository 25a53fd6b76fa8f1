"""The PDF laid out part by part: every part of the report that starts on a new page (title page,
contents, each chapter, each Handlungsfeld, the imprint) is a document of its own, laid out by
WeasyPrint without its page margins, cached by its markup, and joined into one PDF with pikepdf –
pages, structure tree (PDF/UA-1), named destinations, links, bookmarks and metadata as one pass over
the whole report writes them (``tests/test_pdf_teile.py`` compares the two page by page, text and
pixels).

A part's layout depends only on its own markup: the report's print rules start each part on a new
page, and what the page margins print (page number, footer line) does not take space from the page
area. So the parts are laid out with empty margins, all at once on every core when several are new,
and the margins of all pages come from one more document – as many empty pages as the report has,
each of the part's page type (the title page prints none) – stamped onto the pages as artifacts. A
chapter that grows by a page therefore lays out only itself and the contents again. Margin content
must not depend on the pages' content (``string()``/``element()`` running headers would need the
whole report in one pass).

Page references to other parts (the table of contents, the lists of figures and tables) cannot be
``target-counter`` in a document of its own: the numbers are written into the markup
(``data-seite``) and ``report.css`` prints them for parts marked ``seitenzahlen-eingesetzt``. Links to
another part's anchors are kept by naming those anchors in the part's document, and resolved in the
join to the part that holds them."""

from __future__ import annotations

import io
import json
import multiprocessing as mp
import re
import shutil
import signal
import warnings
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from markupsafe import Markup

from berichtswerk.assembly.anchors import ANCHOR, LINK
from berichtswerk.assembly.pdf import render
from berichtswerk.core.files import atomic_write
from berichtswerk.core.hashing import digest
from berichtswerk.core.processes import usable_cores
from berichtswerk.markup import templating

#: Elements that begin a page in print (``report.css``: ``break-before``/``break-after``), where the
#: report is split into parts – as tag and class.
PAGE_STARTS = (("nav", "inhaltsverzeichnis"), ("section", "kapitel--ebene-1"), ("section", "handlungsfeld"),
               ("footer", "impressum"))
#: Classes of the lists whose links print the target's page number (``target-counter`` in one pass).
PAGE_REFERENCES = ("toc__eintrag", "verzeichnis__liste")
MARKED = "seitenzahlen-eingesetzt"
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr"})
_LIST_LINK = re.compile(r'<a href="#([^"]+)"')   # as the contents and the lists of figures write it
_BODY = re.compile(r"<body([^>]*)>")
#: A part's pages without what the margins print (it is stamped on in the join).
WITHOUT_MARGINS = "<style>@page { @bottom-left { content: none; } @bottom-right { content: none; } }</style>"
#: Operators that put marks on a page (a margins page without any is left off its page).
_DRAWING = frozenset({"Tj", "TJ", "'", '"', "f", "F", "f*", "S", "s", "B", "B*", "b", "b*", "Do", "sh", "BI"})


@dataclass(frozen=True)
class Element:
    tag: str
    classes: tuple[str, ...]
    start: int          # offset of its start tag
    content: int        # offset just after its start tag
    end: int            # offset just after its end tag
    children: list[Element]

    def starts_page(self) -> bool:
        return any(self.tag == tag and css in self.classes for tag, css in PAGE_STARTS)


class _Outline(HTMLParser):
    """Offsets of the elements in ``<body>`` down to ``depth`` levels (stdlib parser: the parts keep
    the report's markup byte for byte)."""

    def __init__(self, markup: str, depth: int = 4) -> None:
        super().__init__(convert_charrefs=True)
        self.markup, self.depth = markup, depth
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", markup)]
        self._stack: list[tuple[str, int, int, tuple[str, ...], list[Element]]] = []
        self.body: Element | None = None
        self.feed(markup)
        self.close()

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        start = self._offset()
        content = start + len(self.get_starttag_text() or "")
        classes = tuple((dict(attrs).get("class") or "").split())
        self._stack.append((tag, start, content, classes, []))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not self._stack:
            return
        while self._stack:
            name, start, content, classes, children = self._stack.pop()
            end = self.markup.index(">", self._offset()) + 1
            element = Element(name, classes, start, content, end, children)
            if name == "body":
                self.body = element
            elif self._stack and len(self._stack) <= self.depth:
                self._stack[-1][4].append(element)
            if name == tag:
                return


@dataclass(frozen=True)
class Part:
    """A piece of the report that starts on a new page, as a document of its own."""
    prefix: str         # the report up to and including <body …> and the part's enclosing start tags
    content: str
    suffix: str         # the enclosing end tags and the rest of the document
    ids: tuple[str, ...]

    def document(self, page_numbers: dict[str, int] | None = None) -> str:
        prefix, content = self.prefix.replace("</head>", f"{WITHOUT_MARGINS}\n</head>", 1), self.content
        if page_numbers is not None:
            prefix = _BODY.sub(lambda m: _add_class(m, MARKED), prefix, count=1)
            content = _LIST_LINK.sub(
                lambda m: f'{m.group(0)} data-seite="{page_numbers.get(m.group(1), "")}"', content)
        return prefix + content + self.suffix

    def references_pages(self) -> bool:
        return any(name in self.content for name in PAGE_REFERENCES)


def _add_class(match: re.Match[str], name: str) -> str:
    attributes = match.group(1)
    if 'class="' in attributes:
        return "<body" + attributes.replace('class="', f'class="{name} ', 1) + ">"
    return f'<body{attributes} class="{name}">'


def split(markup: str) -> list[Part]:
    """The report's parts in order; the report is one part if its body has no page starts."""
    body = _Outline(markup).body
    if body is None:
        return [Part(markup, "", "", tuple(ANCHOR.findall(markup)))]
    parts: list[Part] = []
    for enclosing, pieces in _runs(body, []):
        first, last = pieces[0], pieces[-1]
        opening = "".join(markup[e.start:e.content] for e in enclosing)
        closing = "".join(f"</{e.tag}>" for e in reversed(enclosing))
        prefix = markup[:body.content] + opening
        content = markup[first.start:last.end]
        suffix = closing + markup[body.end - len("</body>"):] if markup[body.end - 7:body.end] == "</body>" \
            else closing + "</body></html>"
        parts.append(Part(prefix, content, suffix, tuple(ANCHOR.findall(opening + content))))
    return parts


def _runs(container: Element, enclosing: list[Element]) -> Iterator[tuple[list[Element], list[Element]]]:
    """Consecutive children of ``container`` that share a page run; a child that holds page starts
    is split further, inside its own start tag."""
    run: list[Element] = []
    for child in container.children:
        if child.starts_page() and run:
            yield enclosing, run
            run = []
        if any(grandchild.starts_page() for grandchild in child.children):
            inner = list(_runs(child, [*enclosing, child]))
            if run:
                yield enclosing, run
                run = []
            yield from inner
        else:
            run.append(child)
    if run:
        yield enclosing, run


@dataclass
class LaidOut:
    """One part as a PDF, with what the join needs to know of it."""
    pdf: bytes
    pages: int
    anchors: dict[str, int]                 # anchor → page index in the part, for anchors the part holds
    bookmarks: list[tuple[int, str]]        # (level, label) in document order, as the PDF's outline holds them
    page_types: list[str]                   # each page's named page ("" for none): the margins follow it

    def to_json(self) -> str:
        return json.dumps({"seiten": self.pages, "anker": self.anchors, "lesezeichen": self.bookmarks,
                           "seitenarten": self.page_types})

    @classmethod
    def from_files(cls, pdf: bytes, meta: str) -> LaidOut:
        data = json.loads(meta)
        return cls(pdf, data["seiten"], data["anker"], [tuple(b) for b in data["lesezeichen"]], data["seitenarten"])


def lay_out(document: str, holds: tuple[str, ...], elsewhere: set[str]) -> LaidOut:
    """Lay out one part. Anchors ``elsewhere`` (in other parts) are named on its last page, so that
    WeasyPrint keeps the links to them; the join points them to the part that holds them."""
    rendered = render.lay_out(document)
    anchors: dict[str, int] = {}
    bookmarks: list[tuple[int, str]] = []
    held = set(holds)
    for index, page in enumerate(rendered.pages):
        for name in page.anchors:
            if name in held:
                anchors.setdefault(name, index)
        bookmarks += [(level, label) for level, label, _, _ in page.bookmarks]
    linked = {link[1] for page in rendered.pages for link in page.links if link[0] == "internal"}
    if rendered.pages:
        for name in sorted(linked & elsewhere - set(anchors)):
            rendered.pages[-1].anchors[name] = (0, 0, 0, 0)
    # the named page (``@page titel``) is known only to the layout; WeasyPrint keeps it on the page box
    page_types = [page._page_box.page_type.name or "" for page in rendered.pages]
    return LaidOut(render.write(rendered), len(rendered.pages), anchors, bookmarks, page_types)


def margins(head: str, page_types: list[str]) -> bytes:
    """What the page margins of the whole report print, on otherwise empty pages of the parts' page
    types. Not tagged: the join marks it as artifact, as WeasyPrint keeps margin boxes out of the
    structure tree in one pass."""
    document = templating.render("assembly", "pdf_raender", kopf=Markup(head), seitennamen=page_types)
    return render.write(render.lay_out(document, pdf_variant=None), pdf_variant=None)


def join(parts: list[LaidOut], margin_pages: bytes) -> bytes:
    """One PDF from the parts in order: the first part's document (catalog, metadata, language) takes
    the others' pages; their structure elements go under its ``Document`` element, their parent-tree
    keys follow its own; named destinations come from the part that holds the anchor; the outline
    is nested by bookmark level across parts, as in one pass; each page gets its margins drawn over
    it (``margin_pages``, page for page)."""
    import pikepdf

    pdfs = [pikepdf.open(io.BytesIO(p.pdf)) for p in parts]
    joined = pdfs[0]
    root = joined.Root
    document = root.StructTreeRoot.K[0]
    nums = root.StructTreeRoot.ParentTree.Nums
    next_key = _next_key(nums)
    destinations: dict[str, Any] = {}
    _collect_destinations(joined, parts[0], destinations)
    for part, source in zip(parts[1:], pdfs[1:], strict=True):
        first = len(joined.pages)
        with warnings.catch_warnings():  # the destinations are joined below
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            joined.pages.extend(source.pages)
        for page in joined.pages[first:]:
            page.obj.StructParents = page.obj.StructParents + next_key
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    annotation.StructParent = annotation.StructParent + next_key
        source_nums = source.Root.StructTreeRoot.ParentTree.Nums
        for i in range(0, len(source_nums), 2):
            nums.append(int(source_nums[i]) + next_key)
            nums.append(_copy(joined, source, source_nums[i + 1]))
        for element in _copy(joined, source, source.Root.StructTreeRoot.K[0].K):
            element.P = document
            document.K.append(element)
        next_key += _next_key(source_nums)
        _collect_destinations(source, part, destinations, joined, first)
    names = pikepdf.NameTree.new(joined)
    for name in sorted(destinations):
        names[name] = destinations[name]
    root.Names = pikepdf.Dictionary(Dests=names.obj)
    _outline(joined, parts, pdfs)
    _stamp(joined, pikepdf.open(io.BytesIO(margin_pages)))
    buffer = io.BytesIO()
    joined.save(buffer, object_stream_mode=pikepdf.ObjectStreamMode.generate)  # as WeasyPrint writes
    return buffer.getvalue()


def _stamp(joined: Any, margin_pages: Any) -> None:
    """Draw each margins page over its page, as an artifact: the page's own content keeps its
    graphics state to itself (WeasyPrint flips the coordinate system and does not restore it)."""
    import pikepdf

    if len(margin_pages.pages) != len(joined.pages):
        raise ValueError(f"Seitenränder für {len(margin_pages.pages)} statt {len(joined.pages)} Seiten")
    for page, margin in zip(joined.pages, margin_pages.pages, strict=True):
        if not any(str(op) in _DRAWING for _, op in pikepdf.parse_content_stream(margin)):
            continue
        name = page.add_resource(joined.copy_foreign(margin.as_form_xobject()), pikepdf.Name.XObject, prefix="Rand")
        page.contents_add(pikepdf.Stream(joined, b"q\n"), prepend=True)
        page.contents_add(pikepdf.Stream(joined, f"\nQ\n/Artifact BMC q {name} Do Q EMC\n".encode("ascii")))


def _copy(joined: Any, source: Any, obj: Any) -> Any:
    """``obj`` copied into ``joined``; references to pages already taken over point to their copies."""
    return joined.copy_foreign(obj if obj.is_indirect else source.make_indirect(obj))


def _next_key(nums: Any) -> int:
    return max((int(nums[i]) for i in range(0, len(nums), 2)), default=-1) + 1


def _collect_destinations(source: Any, part: LaidOut, into: dict[str, Any], joined: Any = None,
                          first: int = 0) -> None:
    """The part's destinations for anchors it holds (the first part to hold one wins, as in one pass)."""
    import pikepdf

    if "/Names" not in source.Root or "/Dests" not in source.Root.Names:
        return
    tree = pikepdf.NameTree(source.Root.Names.Dests)
    pages = {page.objgen: i for i, page in enumerate(source.pages)}
    for name in part.anchors:
        if name in into or name not in tree:
            continue
        destination = tree[name]
        if joined is None:
            into[name] = destination
        else:
            into[name] = pikepdf.Array([joined.pages[first + pages[destination[0].objgen]].obj,
                                        *list(destination)[1:]])


def _outline(joined: Any, parts: list[LaidOut], pdfs: list[Any]) -> None:
    """The bookmarks of all parts, nested by level: an entry belongs under the last entry before it
    with a lower level (WeasyPrint's rule, across parts)."""
    from pikepdf import OutlineItem

    entries: list[tuple[int, OutlineItem]] = []
    first = 0
    for part, pdf in zip(parts, pdfs, strict=True):
        pages = {page.objgen: i for i, page in enumerate(pdf.pages)}
        with pdf.open_outline() as outline:
            flat = list(_flatten(outline.root))
        for (level, label), item in zip(part.bookmarks, flat, strict=True):
            destination = item.destination
            copy = OutlineItem(str(item.title), first + pages[destination[0].objgen], "XYZ",
                               left=float(destination[2]), top=float(destination[3]), zoom=0)
            copy.is_closed = item.is_closed
            entries.append((level, copy))
        first += part.pages
    with joined.open_outline() as outline:
        outline.root.clear()
        stack: list[tuple[int, OutlineItem]] = []
        for level, item in entries:
            while stack and stack[-1][0] >= level:
                stack.pop()
            (stack[-1][1].children if stack else outline.root).append(item)
            stack.append((level, item))


def _flatten(items: list[Any]) -> Iterator[Any]:
    for item in items:
        yield item
        yield from _flatten(item.children)


@dataclass(frozen=True)
class Joined:
    pdf: bytes
    parts: int
    laid_out: int       # parts of the final document that were not in the cache


def lay_out_report(markup: str, cache: Path, force: bool = False) -> Joined:
    """The report's PDF from its HTML, laid out part by part (:class:`ReportLayout`)."""
    layout = ReportLayout(markup, cache, force)
    try:
        return layout.finish()
    finally:
        layout.close()


class ReportLayout:
    """The report's PDF, laid out part by part. Made, it looks every part up in ``cache`` (unless
    ``force``) and hands the new ones to processes of their own, one per core, longest first – the
    build assembles its other outputs meanwhile; :meth:`finish` waits for them, lays out the parts
    whose lists print page numbers again until those numbers stand (twice in a first build, from the
    cache after), stamps the margins and joins. :meth:`close` ends the processes."""

    def __init__(self, markup: str, cache: Path, force: bool = False) -> None:
        self.markup, self.cache = markup, cache
        self.parts = split(markup)
        held = set().union(*(p.ids for p in self.parts))
        self.elsewhere = [set(LINK.findall(p.content)) & held - set(p.ids) for p in self.parts]
        self.shaping = render.shaping()
        if force:
            shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir(parents=True, exist_ok=True)
        self.kept = {path.stem for path in cache.glob("*.pdf")}
        self.used: set[str] = set()
        self.laid: list[LaidOut | None] = [None] * len(self.parts)
        self.keys = [""] * len(self.parts)
        self.numbers: dict[str, int] = {}
        self._pool: ProcessPoolExecutor | None = None
        self._pending: dict[int, Future[LaidOut]] = {}
        if len(self.parts) > 1:
            self._start(range(len(self.parts)))

    def _start(self, todo: Iterable[int]) -> None:
        missing = []
        for i in todo:
            part = self.parts[i]
            document = part.document(self.numbers if part.references_pages() else None)
            self.keys[i] = digest(document, *sorted(self.elsewhere[i]), self.shaping)[:40]
            self.used.add(self.keys[i])
            pdf, meta = self._entry(i)
            if pdf.is_file() and meta.is_file():
                self.laid[i] = LaidOut.from_files(pdf.read_bytes(), meta.read_text(encoding="utf-8"))
            else:
                missing.append((i, document))
        if not missing:
            return
        if self._pool is None:
            import weasyprint  # noqa: F401  # once, before the fork, not in every process

            # forked now, while this process has no other thread (fork copies only the calling one)
            self._pool = ProcessPoolExecutor(max_workers=min(usable_cores(), len(missing)),
                                             mp_context=mp.get_context("fork"), initializer=_quiet_worker)
        # longest first: the appendix must not be the one left running alone at the end
        for i, document in sorted(missing, key=lambda job: -len(job[1])):
            self._pending[i] = self._pool.submit(lay_out, document, self.parts[i].ids, self.elsewhere[i])

    def _entry(self, i: int) -> tuple[Path, Path]:
        stem = self.cache / self.keys[i]
        return stem.with_suffix(".pdf"), stem.with_suffix(".json")

    def _wait(self) -> None:
        for i, future in self._pending.items():
            result = self.laid[i] = future.result()
            pdf, meta = self._entry(i)
            atomic_write(pdf, result.pdf)
            atomic_write(meta, result.to_json().encode("utf-8"))
        self._pending = {}

    def finish(self) -> Joined:
        if len(self.parts) == 1:
            return Joined(render.html_to_pdf(self.markup), 1, 1)
        self._wait()
        referencing = [i for i, p in enumerate(self.parts) if p.references_pages()]
        for _ in range(5):
            located = _located([p for p in self.laid if p is not None])
            if located == self.numbers or not referencing:
                break
            self.numbers = located
            self._start(referencing)
            self._wait()
        done = [p for p in self.laid if p is not None]
        page_types = [t for p in done for t in p.page_types]
        head = self.markup[:self.markup.index("</head>")] if "</head>" in self.markup else ""
        margin_key = digest("ränder", head, *page_types, self.shaping)[:40]
        self.used.add(margin_key)
        margin_pages = self.cache / f"{margin_key}.pdf"
        if not margin_pages.is_file():
            atomic_write(margin_pages, margins(head, page_types))
        for old in self.cache.iterdir():
            if old.stem not in self.used:
                old.unlink(missing_ok=True)
        return Joined(join(done, margin_pages.read_bytes()), len(self.parts),
                      sum(key not in self.kept for key in self.keys))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _located(laid: list[LaidOut]) -> dict[str, int]:
    """Anchor → page number in the joined report (the first part holding an anchor wins)."""
    located: dict[str, int] = {}
    page = 1
    for part in laid:
        for name, index in part.anchors.items():
            located.setdefault(name, page + index)
        page += part.pages
    return located


def _quiet_worker() -> None:
    """A layout process leaves Ctrl-C and SIGTERM to the build, which ends its whole process tree."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
