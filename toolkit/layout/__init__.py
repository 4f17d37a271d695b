"""Layout: a whole document cut into the author's paragraphs, each with its kind.

``segment(text)`` returns :class:`Block` s that cover every visible character
of ``text`` once, in order: paragraphs recovered from any real layout (blank
lines of any whitespace, one line per paragraph, hard wraps, page breaks with
running headers and page numbers) with a kind (``body``, ``heading``,
``boilerplate``, ``reference``) and, for body, the nearest heading above.

A paragraph that a running header or page number interrupts keeps its whole
extent ``[start, end)``; the interrupting lines are blocks of their own, listed
in ``gaps``. :meth:`Block.clean` gives the paragraph as one line for the
features (hard wraps joined, ``traf-\\nficking`` rejoined, gaps left out) with a
map back to offsets in the original text.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from .kinds import BODY, BOILERPLATE, HEADING, KINDS, REFERENCE, decide, is_chrome
from .lines import INVISIBLE, Line, is_blank, mark_furniture, scan
from .paragraphs import Paragraph, paragraphs

__all__ = ["BODY", "BOILERPLATE", "HEADING", "KINDS", "MAX_PASSAGE", "NAMING", "REFERENCE", "Block", "PassageText",
           "is_blank", "segment"]

# The kinds whose entities count: the article's own text (page chrome and references name places too).
NAMING = frozenset({BODY, HEADING})

# Longer paragraphs (a pasted book without line breaks) are cut at sentence ends, then
# spaces, so no passage exceeds this many characters.
MAX_PASSAGE = 20_000


@dataclass(frozen=True, slots=True)
class PassageText:
    """A passage as the pipeline reads it, and the way back to the document's offsets.

    ``pieces`` holds ``(clean_start, source_start)`` for each run of characters
    copied from the document; a character between runs (the space that joins
    two lines) maps to the end of the run before it.
    """

    text: str
    pieces: tuple[tuple[int, int], ...]

    def source(self, i: int) -> int:
        """The document offset of the passage's character ``i``."""
        k = bisect.bisect_right(self.pieces, (i, 1 << 62)) - 1
        clean_start, source_start = self.pieces[max(k, 0)]
        return source_start + (i - clean_start)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Document offsets of the passage's characters ``[start, end)``."""
        return self.source(start), self.source(end - 1) + 1 if end > start else self.source(start)


@dataclass(frozen=True, slots=True)
class Block:
    """One passage of a document: ``text[start:end]``, its kind and, for body, its section.

    ``lines`` are the ``(start, end)`` of its lines when it has several, and
    ``joins`` how each joins the next (``" "``; ``""`` after a hyphen that a
    wrap added). ``gaps`` are the running headers and page numbers inside it.
    """

    start: int
    end: int
    kind: str = BODY
    section: str | None = None
    lines: tuple[tuple[int, int], ...] = ()
    joins: tuple[str, ...] = ()
    gaps: tuple[tuple[int, int], ...] = ()

    def clean(self, text: str) -> PassageText:
        """The passage as one line of text, with a map back to offsets into ``text``.

        >>> doc = "Border traf-\\nficking grew."
        >>> b = segment(doc)[0]
        >>> p = b.clean(doc)
        >>> p.text, doc[slice(*p.span(7, 18))]
        ('Border trafficking grew.', 'traf-\\nficking')
        """
        if not self.lines:
            return PassageText(text[self.start : self.end], ((0, self.start),))
        parts: list[str] = []
        pieces: list[tuple[int, int]] = []
        size = 0
        for n, (s, e) in enumerate(self.lines):
            join = self.joins[n] if n < len(self.joins) else None
            if join == "":
                e -= 1  # the hyphen the wrap added
            pieces.append((size, s))
            parts.append(text[s:e])
            size += e - s
            if join:
                parts.append(join)
                size += len(join)
        return PassageText("".join(parts), tuple(pieces))


def segment(text: str, *, layout: bool = True) -> list[Block]:
    """Cut ``text`` into passages with kinds; with ``layout=False`` the whole text is one body passage.

    Passages are in order, never overlap (a passage's ``gaps`` belong to the
    blocks inside it) and hold every visible character of the text.

    >>> doc = "HOME\\n\\u00a0\\nWhy they left\\n\\u00a0\\nThe rations stopped in 1994, and the markets took over.\\n"
    >>> [(b.kind, doc[b.start:b.end], b.section) for b in segment(doc)]  # doctest: +NORMALIZE_WHITESPACE
    [('boilerplate', 'HOME', None), ('heading', 'Why they left', None),
     ('body', 'The rations stopped in 1994, and the markets took over.', 'Why they left')]
    """
    if not layout:
        stripped = text.strip(INVISIBLE)
        if not stripped:
            return []
        start = len(text) - len(text.lstrip(INVISIBLE))
        return [Block(s, e) for s, e in _cap(text, start, start + len(stripped))]
    lines = scan(text)
    if not lines:
        return []
    if len(lines) == 1:  # a record of one line (a pre-cut passage, a tweet): body unless it is page chrome
        only = lines[0]
        kind = BOILERPLATE if is_chrome(only.content) else BODY
        return [Block(s, e, kind) for s, e in _cap(text, only.start, only.end)]
    mark_furniture(lines)
    paras = paragraphs(lines)
    texts = [" ".join(ln.content for ln in p.lines) if len(p.lines) > 1 else p.lines[0].content for p in paras]
    ends_page = _ends_page(paras, lines)
    kinds = decide(texts, [len(p.lines) for p in paras], ends_page, [p.lines[0].blank_before for p in paras])
    blocks: list[Block] = []
    section: str | None = None
    furniture = [ln for ln in lines if ln.furniture]
    for p, kind, head in zip(paras, kinds, texts, strict=True):
        if kind == HEADING:
            section = head
        first, last = p.lines[0], p.lines[-1]
        gaps = tuple((f.start, f.end) for f in _between(furniture, first.start, last.end))
        sec = section if kind == BODY else None
        if last.end - first.start > MAX_PASSAGE:
            blocks.extend(_split_long(text, p.lines, kind, sec))
        elif len(p.lines) == 1:
            blocks.append(Block(first.start, first.end, kind, sec))
        else:
            blocks.append(Block(first.start, last.end, kind, sec, tuple((ln.start, ln.end) for ln in p.lines),
                                tuple(p.joins), gaps))
    blocks.extend(Block(f.start, f.end, BOILERPLATE) for f in furniture)
    blocks.sort(key=lambda b: b.start)
    return blocks


def _between(furniture: list[Line], start: int, end: int) -> list[Line]:
    return [f for f in furniture if start < f.start < end] if furniture else []


def _ends_page(paras: list[Paragraph], lines: list[Line]) -> list[bool]:
    """Whether a page break or page furniture follows each paragraph."""
    out = []
    order = {id(ln): k for k, ln in enumerate(lines)}
    for p in paras:
        last = p.lines[-1]
        k = order[id(last)] + 1
        out.append(k >= len(lines) or lines[k].furniture or lines[k].page != last.page)
    return out


def _split_long(text: str, lines: list[Line], kind: str, section: str | None) -> list[Block]:
    """A paragraph over :data:`MAX_PASSAGE` characters, cut into line groups (and long lines into pieces)."""
    out: list[Block] = []
    group: list[Line] = []
    for ln in [*lines, None]:
        if ln is not None and (not group or ln.end - group[0].start <= MAX_PASSAGE):
            group.append(ln)
            continue
        if group:
            if len(group) == 1:
                out.extend(Block(s, e, kind, section) for s, e in _cap(text, group[0].start, group[0].end))
            else:
                out.append(Block(group[0].start, group[-1].end, kind, section,
                                 tuple((g.start, g.end) for g in group), (" ",) * (len(group) - 1)))
        group = [ln] if ln is not None else []
    return out


# Where a paragraph too long for one passage is cut: after a sentence, else at a space.
_CUTS = (re.compile(r"(?<=[.!?。다])\s"), re.compile(r"\s"))


def _cap(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Cut ``text[start:end]`` into spans of at most :data:`MAX_PASSAGE` characters."""
    out: list[tuple[int, int]] = []
    while end - start > MAX_PASSAGE:
        window = text[start : start + MAX_PASSAGE]
        cut = 0
        for pattern in _CUTS:
            hits = [m.start() for m in pattern.finditer(window[MAX_PASSAGE // 2 :])]
            if hits:
                cut = MAX_PASSAGE // 2 + hits[-1]
                break
        cut = cut or MAX_PASSAGE
        piece = text[start : start + cut]
        if piece.strip(INVISIBLE):
            lead = len(piece) - len(piece.lstrip(INVISIBLE))
            out.append((start + lead, start + len(piece.rstrip(INVISIBLE))))
        start += cut
        while start < end and text[start] in INVISIBLE:
            start += 1
    if end > start:
        out.append((start, end))
    return out
