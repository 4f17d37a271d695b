"""Lines of a document: their offsets, blank lines of any whitespace, and page furniture.

Page furniture is what a PDF repeats on every page (running headers and
footers, page numbers): those lines are set aside before paragraphs are joined,
so a paragraph that runs across a page break stays one paragraph.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

# Line breaks of every kind; \f (form feed) also ends a page, as pdftotext writes it.
_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
# Characters that draw nothing: Unicode whitespace plus zero-width marks and the soft hyphen.
INVISIBLE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
             "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\u200b\u200c\u200d\u2060\ufeff\u00ad")
# HTML leftovers that stand for whitespace when they are all a line holds.
_ENTITY_SPACE = re.compile(r"(?:&(?:nbsp|ensp|emsp|thinsp|zwnj|zwj|#160|#xa0|#8203|#x200b);?)+", re.IGNORECASE)
_PAGE_NUMBER = re.compile(
    r"(?:[-–—−~·•|\s]*\d{1,4}[-–—−~·•|\s]*"
    r"|(?:page|p\.|pg\.?)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|\d{1,4}\s*/\s*\d{1,4}"
    r"|[-–—]?\s*\d{1,4}\s*(?:쪽|페이지|면)\s*[-–—]?"
    r"|[-–—]\s*[ivxlcIVXLC]{1,6}\s*[-–—])",
    re.IGNORECASE)
_DIGITS = re.compile(r"\d+")
# Characters two columns wide on a terminal or a page: Hangul, CJK, full-width forms.
_WIDE = re.compile(r"[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7a3"
                   r"\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")
_SPACES = re.compile(r"\s+")
_STOPS = tuple(".!?。…")
_NOTE_AFTER_STOP = re.compile(r"(?<=[^\d\s])[.!?。…][\"”’'»)\]」』]*(?:\d{1,2}\)?|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\[\d{1,3}\])$")
_CLOSERS = "\"”’'»)]」』"


@dataclass(slots=True)
class Line:
    """One non-blank line: ``text[start:end]`` is its visible content."""

    start: int
    end: int
    content: str
    indent: int
    page: int
    blank_before: bool = False
    furniture: bool = False
    width: int = 0  # columns, the indent included (see :func:`display_width`)


def is_blank(line: str) -> bool:
    """True when ``line`` draws nothing: whitespace of any kind, zero-width marks, or a lone ``&nbsp;``.

    >>> is_blank("\\u00a0"), is_blank(" &nbsp; "), is_blank("\\u3000\\u200b"), is_blank("a")
    (True, True, True, False)
    """
    stripped = line.strip(INVISIBLE)
    return not stripped or _ENTITY_SPACE.fullmatch(_SPACES.sub("", stripped)) is not None


def scan(text: str) -> list[Line]:
    """The non-blank lines of ``text`` with their content offsets and page numbers (0-based).

    >>> [(ln.start, ln.end, ln.blank_before) for ln in scan("a\\n\\u00a0\\n  b c\\r\\n")]
    [(0, 1, False), (6, 9, True)]
    """
    lines: list[Line] = []
    pos = 0
    page = 0
    blank = False
    for m in [*_BREAK.finditer(text), None]:
        end = m.start() if m else len(text)
        raw = text[pos:end]
        content = raw.strip(INVISIBLE)
        if content and not ("&" in content and _ENTITY_SPACE.fullmatch(_SPACES.sub("", content))):
            lead = len(raw) - len(raw.lstrip(INVISIBLE))
            indent = len(raw[:lead].expandtabs(4))
            lines.append(Line(pos + lead, pos + lead + len(content), content, indent, page, blank,
                              width=indent + display_width(content)))
            blank = False
        else:
            blank = True
        if m:
            if m.group() == "\f":
                page += 1
                blank = True
            pos = m.end()
    return lines


def display_width(text: str) -> int:
    """Columns ``text`` takes in a fixed-width rendering: Hangul and CJK count two.

    Hard wraps are made by width, not by characters: a Korean line of 40
    syllables is as wide as an English line of 80 letters.

    >>> display_width("abc"), display_width("함경북도")
    (3, 8)
    """
    return len(text) + len(_WIDE.findall(text))


def ends_sentence(content: str) -> bool:
    """True when a line ends where a sentence can end (``.``, ``?``, ``!``, ``…``, also inside closing quotes).

    A footnote mark after the stop (``...했다.1)``, ``...the border.3``) does not hide it.

    >>> ends_sentence("He left."), ends_sentence("'Go,'"), ends_sentence('He said "go."'), ends_sentence("2. Markets")
    (True, False, True, False)
    >>> ends_sentence("뛰어들었다.1)"), ends_sentence("the border.3"), ends_sentence("rose to 12.5")
    (True, True, False)
    """
    return content.rstrip(_CLOSERS).endswith(_STOPS) or _NOTE_AFTER_STOP.search(content[-12:]) is not None


def _key(content: str) -> str:
    return _SPACES.sub(" ", _DIGITS.sub("0", content.lower()))


def mark_furniture(lines: list[Line]) -> None:
    """Mark page numbers and running headers or footers as ``furniture``.

    A page number is a line of a number and dashes, ``Page 3 of 20``, ``12쪽``
    and the like. A running header is a short line that repeats (digits aside)
    at the top or bottom of two or more pages, twice beside page numbers, or
    three or more times anywhere when the text carries no page breaks.
    """
    pages = lines[-1].page + 1 if lines else 0
    edge: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    if pages > 1:
        by_page: dict[int, list[Line]] = {}
        for ln in lines:
            by_page.setdefault(ln.page, []).append(ln)
        for page_lines in by_page.values():
            for ln in {id(x): x for x in (*page_lines[:2], *page_lines[-2:])}.values():
                if len(ln.content) <= 120:
                    edge[_key(ln.content)] += 1
    for ln in lines:
        if len(ln.content) <= 100:
            anywhere[_key(ln.content)] += 1
    # a short line repeated next to page numbers is a running header, even without page breaks
    numbered = [k for k, ln in enumerate(lines) if _PAGE_NUMBER.fullmatch(ln.content)]
    beside = {_key(lines[j].content) for k in numbered for j in range(max(0, k - 2), min(len(lines), k + 3))
              if j != k and len(lines[j].content) <= 100}
    for k in numbered:
        lines[k].furniture = True
    for ln in lines:
        if ln.furniture or len(ln.content) > 120 or (ends_sentence(ln.content) and not ln.content.endswith(")")):
            continue
        key = _key(ln.content)
        if edge[key] >= 2 or (anywhere[key] >= 2 and key in beside) or \
                (anywhere[key] >= 3 and any(c.isalpha() for c in key) and len(key) >= 12):
            ln.furniture = True
