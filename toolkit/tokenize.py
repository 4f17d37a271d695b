"""Tokenization of whole texts: passages routed to the pipeline of their language."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from spacy.tokens import Doc

from .passages import Span, detect, split
from .pipeline import get_nlp
from .results import Token


@dataclass(frozen=True, slots=True)
class ParsedPassage:
    """A paragraph, its language and its spaCy ``Doc`` (offsets relative to ``span.start``)."""

    span: Span
    lang: str
    doc: Doc

    def tokens(self) -> list[Token]:
        """Tokens with offsets into the whole text, whitespace tokens left out."""
        base = self.span.start
        return [Token(t.text, base + t.idx, base + t.idx + len(t), t.pos_ or "X", t.tag_, t.lemma_ or t.text)
                for t in self.doc if not t.is_space]

    def sentences(self) -> list[list[Token]]:
        """Tokens grouped by the pipeline's sentence boundaries."""
        toks = iter(self.tokens())
        out: list[list[Token]] = []
        for sent in self.doc.sents:
            n = sum(1 for t in sent if not t.is_space)
            out.append([next(toks) for _ in range(n)])
        return out


def parse(text: str, *, lang: str | None = None, backend: str | None = None,
          entities: bool = False) -> Iterator[ParsedPassage]:
    """Run each paragraph of ``text`` through the pipeline of its language."""
    for span in split(text):
        chunk = text[span.start : span.end]
        passage_lang = lang or detect(chunk)
        nlp = get_nlp(passage_lang, backend=backend, entities=entities)
        cfg = {"nktk_gazetteer": {"text": chunk}} if entities else None
        yield ParsedPassage(span, passage_lang, nlp(chunk, component_cfg=cfg))


def main_language(passages: list[ParsedPassage], default: str = "en") -> str:
    """The language holding most characters of the record."""
    sizes: dict[str, int] = {}
    for p in passages:
        sizes[p.lang] = sizes.get(p.lang, 0) + p.span.end - p.span.start
    return max(sizes, key=lambda k: sizes[k]) if sizes else default


def tokenize(text: str, *, lang: str | None = None, backend: str | None = None) -> list[Token]:
    """Tokens of ``text`` with exact offsets into it, POS, native tag and lemma.

    Each paragraph goes to the English or Korean pipeline by its own language
    unless ``lang`` forces one; ``backend`` picks the Korean analyser.

    Example:
        >>> [t.text for t in tokenize("함경북도에서 왔다")][:2]
        ['함경북도', '에서']
    """
    return [tok for p in parse(text, lang=lang, backend=backend) for tok in p.tokens()]
