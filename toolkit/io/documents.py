"""Saved web pages and report PDFs as records: main text, title, date, author, page numbers."""

from __future__ import annotations

import itertools
import unicodedata
from types import ModuleType
from typing import Any

from ..errors import ConfigError, InputError
from ..extras import require
from .decode import decode
from .records import Record


def _require(module: str, extra: str, purpose: str, name: str) -> ModuleType:
    """:func:`~toolkit.extras.require` for one input file: a missing extra is an error of that file.

    Raised as :class:`InputError` naming the file, so the file becomes one bad
    record (``nktk batch`` writes an error record and goes on) like any other
    unreadable input.
    """
    try:
        return require(module, extra, purpose)
    except ConfigError as exc:
        raise InputError(f"{name}: {exc}") from None


def read_html(data: bytes, name: str) -> Record:
    """The article of a saved web page (trafilatura drops navigation and boilerplate).

    Title, author, date and site name go into the record's metadata. Needs the
    ``nktk[html]`` extra (an :class:`InputError` naming the file says so).
    """
    trafilatura = _require("trafilatura", "html", "reading saved web pages", name)
    html = decode(data, name)
    text = trafilatura.extract(html, include_comments=False, include_tables=False, favor_precision=True)
    if not text or not text.strip():
        raise InputError(f"{name}: no article text found in the page")
    meta: dict[str, Any] = {"source": name}
    doc = trafilatura.extract_metadata(html)
    if doc is not None:
        for key in ("title", "author", "date", "sitename", "url"):
            value = getattr(doc, key, None)
            if value:
                meta[key] = value
    # trafilatura gives one paragraph per line; blank lines keep them apart for the layout step.
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    body = "\n\n".join(paragraphs)
    if meta.get("title") and not body.startswith(str(meta["title"])):
        body = f"{meta['title']}\n\n{body}"
    return Record(name, unicodedata.normalize("NFC", body), meta)


PAGE_BREAK = "\n\f\n"


def read_pdf(data: bytes, name: str) -> Record:
    """The text layer of a PDF, page by page; ``meta["pages"]`` maps character offsets to pages.

    Pages are joined by a form feed, as ``pdftotext`` writes them, so the layout
    step sees the page breaks: it sets running headers and page numbers aside
    and joins a paragraph that runs on to the next page.

    Raises:
        InputError: not a PDF, encrypted, no text layer (a scan needs OCR first), or
        pypdf is not installed (the ``nktk[pdf]`` extra).
    """
    import io

    _require("pypdf", "pdf", "reading PDF files", name)
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise InputError(f"{name}: encrypted PDF")
        pages = [_with_paragraph_gaps(page) for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InputError(f"{name}: unreadable PDF ({type(exc).__name__})") from None
    if not any(p.strip() for p in pages):
        raise InputError(f"{name}: the PDF has no text layer (scanned pages need OCR first)")
    parts: list[str] = []
    starts: list[list[int]] = []
    offset = 0
    for number, page in enumerate(pages, 1):
        text = unicodedata.normalize("NFC", page.strip())
        if not text:
            continue
        if parts:
            parts.append(PAGE_BREAK)
            offset += len(PAGE_BREAK)
        starts.append([offset, number])
        parts.append(text)
        offset += len(text)
    return Record(name, "".join(parts), {"source": name, "pages": starts})


def _with_paragraph_gaps(page: Any) -> str:
    """A page's text in reading order, with a blank line wherever the page leaves a paragraph gap.

    pypdf's text extraction keeps the reading order (columns stay apart) but
    drops vertical space. Each line's baseline is read off the text matrices
    pypdf visits; where the step down to the next line is clearly larger than
    the page's usual line spacing, the page has a paragraph (or heading) gap
    there, and the text gets a blank line, which the layout step reads as a
    paragraph boundary.
    """
    pieces: list[tuple[str, float]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        pieces.append((text, float(cm[5]) + float(tm[5])))

    text: str = page.extract_text(visitor_text=visit) or ""
    if "".join(t for t, _ in pieces) != text:
        return text  # the visitor did not see what the extraction wrote: keep the plain text
    lines: list[str] = []
    heights: list[float | None] = []
    current: str = ""
    y: float | None = None
    for piece, at in pieces:
        parts = piece.split("\n")
        for k, part in enumerate(parts):
            if part.strip() and y is None:
                y = at
            current += part
            if k < len(parts) - 1:
                lines.append(current)
                heights.append(y)
                current, y = "", None
    lines.append(current)
    heights.append(y)
    steps = [a - b for a, b in itertools.pairwise(heights) if a is not None and b is not None and a > b]
    if len(steps) < 4:
        return text
    usual = sorted(steps)[len(steps) // 2]
    out: list[str] = []
    prev: float | None = None
    for line, height in zip(lines, heights, strict=True):
        if prev is not None and height is not None and out and out[-1].strip() and prev - height > 1.4 * usual:
            out.append("")
        out.append(line)
        if height is not None:
            prev = height
    return "\n".join(out)
