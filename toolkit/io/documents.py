"""Saved web pages and report PDFs as records: main text, title, date, author, page numbers."""

from __future__ import annotations

import unicodedata
from typing import Any

from ..errors import InputError
from .decode import decode
from .records import Record


def read_html(data: bytes, name: str) -> Record:
    """The article of a saved web page (trafilatura drops navigation and boilerplate).

    Title, author, date and site name go into the record's metadata.
    """
    import trafilatura

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
        InputError: not a PDF, encrypted, or no text layer (a scan needs OCR first).
    """
    import io

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
    """A page's text in reading order, with a blank line where the page itself leaves a paragraph gap.

    pypdf's plain extraction keeps the reading order (columns stay apart) but
    drops vertical space; its layout mode keeps the space (blank lines between
    paragraphs, first-line indents) but sets columns side by side. A line of
    the plain text that starts a paragraph in the layout rendering (after a
    blank line, or indented past the page's margin) gets a blank line before
    it; where the two renderings disagree (columns), nothing is added.
    """
    text: str = page.extract_text() or ""
    try:
        laid: str = page.extract_text(extraction_mode="layout") or ""
    except Exception:  # layout mode is best effort: the plain text stands on its own
        return text
    rows = laid.splitlines()
    indents = sorted(len(r) - len(r.lstrip()) for r in rows if r.strip())
    if not indents:
        return text
    margin = indents[len(indents) // 4]
    starts: set[str] = set()
    blank = True
    for r in rows:
        if not r.strip():
            blank = True
            continue
        if blank or len(r) - len(r.lstrip()) > margin + 1:
            starts.add(" ".join(r.split()))
        blank = False
    out: list[str] = []
    for n, line in enumerate(text.splitlines()):
        if n and out[-1].strip() and " ".join(line.split()) in starts:
            out.append("")
        out.append(line)
    return "\n".join(out)
