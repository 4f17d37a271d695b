"""Passages (blank-line separated paragraphs with offsets) and their language."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BLANK = re.compile(r"\n[ \t\r\f\v\u3000]*\n\s*")
# Longer paragraphs (a PDF page without blank lines, a pasted book) are cut at line
# breaks, then sentence ends, then spaces, so no passage exceeds this many characters.
MAX_PASSAGE = 20_000
_CUTS = (re.compile(r"\n"), re.compile(r"(?<=[.!?。다])\s"), re.compile(r"\s"))
_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
LANGS = ("en", "ko")


@dataclass(frozen=True, slots=True)
class Span:
    """A paragraph of the text: ``text[start:end]``, stripped of surrounding space."""

    start: int
    end: int


def split(text: str) -> list[Span]:
    """Split ``text`` into paragraphs at blank lines, with exact character offsets.

    >>> [(s.start, s.end) for s in split("a b\\n\\n c")]
    [(0, 3), (6, 7)]
    """
    spans: list[Span] = []
    pos = 0
    for m in [*_BLANK.finditer(text), None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            spans.extend(_cap(text, pos + lead, pos + lead + len(stripped)))
        if m:
            pos = m.end()
    return spans


def _cap(text: str, start: int, end: int) -> list[Span]:
    """Cut ``text[start:end]`` into spans of at most :data:`MAX_PASSAGE` characters."""
    out: list[Span] = []
    while end - start > MAX_PASSAGE:
        window = text[start : start + MAX_PASSAGE]
        cut = 0
        for pattern in _CUTS:
            hits = [m.start() for m in pattern.finditer(window, MAX_PASSAGE // 2)]
            if hits:
                cut = hits[-1]
                break
        cut = cut or MAX_PASSAGE
        piece = text[start : start + cut]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append(Span(start + lead, start + len(piece.rstrip())))
        start += cut
        while start < end and text[start].isspace():
            start += 1
    if end > start:
        out.append(Span(start, end))
    return out


def detect(text: str, default: str = "en") -> str:
    """``ko`` when Hangul makes up at least 30% of the letters, else ``en``.

    A Hangul syllable carries two or three Latin letters' worth of text, so an
    English passage quoting a Korean name stays English.

    >>> detect("함경북도에서 온 여성"), detect("Women from 함경북도 traded at the market.")
    ('ko', 'en')
    """
    hangul = len(_HANGUL.findall(text))
    latin = len(_LATIN.findall(text))
    if hangul + latin == 0:
        return default
    return "ko" if hangul >= 0.3 * (hangul + latin) else "en"
