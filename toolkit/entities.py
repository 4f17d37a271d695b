"""Entity extraction over whole texts: each passage through its language's pipeline."""

from __future__ import annotations

from .layout import NAMING
from .parsing import ParsedPassage, parse
from .results import Entity


def passage_entities(passage: ParsedPassage) -> list[Entity]:
    """The gazetteer component's entities of one parsed passage, offsets into the whole text."""
    out = []
    for e in passage.doc._.nktk_entities or []:
        s, end = passage.to_text(e.start, e.end)
        out.append(Entity(s, end, passage.text[s:end], e.label, e.canonical, e.id))
    return out


def extract_entities(text: str, *, lang: str | None = None, backend: str | None = None) -> list[Entity]:
    """Provinces, organizations and places named in ``text``, with gazetteer ids.

    Every spelling of one entity gets the same ``id`` and ``canonical`` name, in
    both languages; names the gazetteer lacks but rules recognize get ``id=None``.
    Only the article's own text counts (body and headings, see :mod:`toolkit.layout`):
    a menu or a tag list that names a province is not a mention.

    Example:
        >>> [(e.text, e.id) for e in extract_entities("함경북도에서 North Hamgyong으로")]
        [('함경북도', 'KP-09'), ('North Hamgyong', 'KP-09')]
    """
    return [e for p in parse(text, lang=lang, backend=backend, entities=True, kinds=NAMING)
            for e in passage_entities(p)]
