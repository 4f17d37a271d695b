"""Paragraphs from lines: blank lines, one line per paragraph, hard wraps and page breaks.

A document's lines are either wrapped (e-mail, plain-text reports, PDF text
layers: lines of one width, broken wherever the next word did not fit) or not
(pasted news and portal copy: each line a paragraph). The wrap width is read
off the document itself, and two lines are joined when the first one was
evidently broken by the wrap, or when it stops mid-sentence and the next one
carries on in lower case.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from .lines import Line, display_width, ends_sentence

# A list item or a speaker turn starts a paragraph of its own.
_ITEM = re.compile(r"(?:[•·∙◦▪▫■□◆◇▶▷►○●◎※☞\-–—*+]\s|\(?\d{1,3}[.)]\s|\(?[a-z가-힣][.)]\s|[①-⑳]|"
                   r"(?:Q|A|문|답)\s*[:：.]\s|[○◯]\s*\S)")
_HYPHEN_END = re.compile(r"[a-z]-$")
_BIB_START = re.compile(r"[A-Z][\w'’-]+(?:[ -][A-Z][\w'’-]+)?,\s(?:[A-Z]\.\s?){1,3}|[가-힣]{2,4}\s?\((?:19|20)\d\d")
_NOTE_START = re.compile(r"(?:\d{1,2}\)?|\[\d{1,3}\]|[¹²³⁴⁵⁶⁷⁸⁹])\s+[A-Z가-힣\"“『「]")


@dataclass(slots=True)
class Paragraph:
    """Lines that make one paragraph, and how each line joins the next (``" "`` or ``""`` after a hyphen)."""

    lines: list[Line] = field(default_factory=list)
    joins: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Wrap:
    """The wrap width of a document, and whether its lines break where words stopped fitting."""

    width: int
    exact: bool
    gapped: bool = False


def _width(line: Line) -> int:
    """Columns the line takes, its indent included (a wrap counts the indent too)."""
    return line.width


def _first_word(content: str) -> int:
    """Columns of the first word of a line."""
    cut = content.find(" ")
    return display_width(content if cut < 0 else content[:cut])


def wrap_of(lines: list[Line]) -> Wrap | None:
    """The document's wrap, or ``None`` when its lines are not hard-wrapped.

    Wrapped text has many lines near one width that break mid-sentence; a
    text with one line per paragraph has lines of every length that end their
    sentences.
    """
    pairs = [(a, b) for a, b in itertools.pairwise(lines)
             if not b.blank_before and not a.furniture and not b.furniture]
    if len(pairs) < 3:
        return None
    widths = sorted(_width(a) for a, _ in pairs)
    width = widths[min(len(widths) - 1, int(0.95 * len(widths)))]
    if width < 20 or width > 160:
        return None
    near = [(a, b) for a, b in pairs if _width(a) >= 0.7 * width]
    if len(near) < 0.4 * len(pairs) or sum(not ends_sentence(a.content) for a, _ in near) < 0.5 * len(near):
        return None
    # Greedy wrapping in a fixed-width font: every mid-sentence line could not take the next word.
    mid = [(a, b) for a, b in near if not ends_sentence(a.content)]
    forced = sum(_width(a) + 1 + _first_word(b.content) > width for a, b in mid)
    exact = len(mid) >= 10 and forced >= 0.99 * len(mid)
    # Paragraphs kept apart by blank lines: a line break without one is inside a paragraph.
    gapped = sum(ln.blank_before for ln in lines) >= max(3, 0.03 * len(lines))
    return Wrap(widths[-1] if exact else width, exact, gapped)


def _continues(a: Line, b: Line, wrap: Wrap | None, *, page_break: bool) -> str | None:
    """How line ``a`` joins line ``b`` in one paragraph (``" "``, or ``""`` for a hyphen), else ``None``."""
    if _ITEM.match(b.content):
        return None
    lower_next = b.content[0].islower() and not b.content.startswith(("www.", "http"))
    if _HYPHEN_END.search(a.content) and lower_next:
        return ""
    mid_sentence = not ends_sentence(a.content) and not a.content.endswith(":")
    if not mid_sentence and (_NOTE_START.match(b.content) or _BIB_START.match(b.content)):
        return None  # "2 Ministry of ...", "Guilmoto, C. Z. (2012)": the next note or bibliography entry
    if wrap is None:
        if page_break:  # across a page break (or its running header) a sentence left open carries on
            return " " if mid_sentence and (lower_next or len(a.content) >= 40) else None
        return " " if mid_sentence and lower_next and len(a.content) >= 30 else None
    if b.indent > a.indent + 1:  # a first-line indent starts a paragraph, on a new page too
        return None
    if page_break:  # no line spacing to read across a page: an open sentence carries on, and so does
        # a full last line in a text whose paragraphs end with a gap (a last line is seldom full)
        if mid_sentence:
            return " " if lower_next or _width(a) >= 0.7 * wrap.width else None
        return " " if wrap.gapped and _width(a) >= 0.9 * wrap.width else None
    if wrap.exact:
        # a line that had clear room for the next word ended its paragraph; two columns of slack
        # allow for widths that a proportional font only approximates
        if _width(a) + 3 + _first_word(b.content) <= wrap.width and not (mid_sentence and
                                                                         _width(a) >= 0.85 * wrap.width):
            return None
        return " "
    if mid_sentence:
        # a wrapped line rarely stops short of the margin mid-sentence; a heading does
        return " " if lower_next or _width(a) >= 0.7 * wrap.width else None
    # Proportional fonts (a PDF): character counts cannot tell a full line from a last one exactly;
    # a sentence that ends on a nearly full line most often goes on (a paragraph gap, when the
    # page has one, has already separated the paragraphs).
    return " " if _width(a) >= (0.6 if wrap.gapped else 0.85) * wrap.width else None


def paragraphs(lines: list[Line]) -> list[Paragraph]:
    """Group the non-furniture lines into paragraphs, in order."""
    wrap = wrap_of(lines)
    out: list[Paragraph] = []
    prev: Line | None = None
    gap = False  # furniture or a page break since ``prev``
    for ln in lines:
        if ln.furniture:
            gap = True
            continue
        join = None
        if prev is not None:
            page_break = gap or ln.page != prev.page
            if page_break or not ln.blank_before:
                join = _continues(prev, ln, wrap, page_break=page_break)
        if join is None:
            out.append(Paragraph([ln]))
        else:
            para = out[-1]
            para.joins.append(join)
            para.lines.append(ln)
        prev, gap = ln, False
    return out
