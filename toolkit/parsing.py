"""Tokenization of whole texts: passages routed to the pipeline of their language."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from spacy.tokens import Doc

from .layout import Block, PassageText, segment
from .passages import detect
from .pipeline import get_nlp
from .results import Token


@dataclass(frozen=True, slots=True)
class ParsedPassage:
    """A passage of a document, its language and the spaCy ``Doc`` of its clean text.

    ``doc`` reads ``source.text`` (hard wraps joined, running headers left out);
    :meth:`span` maps the doc's offsets back into ``text``, the whole document.
    """

    span: Block
    lang: str
    doc: Doc
    source: PassageText
    text: str

    def to_text(self, start: int, end: int) -> tuple[int, int]:
        """Offsets into the document of the passage's clean characters ``[start, end)``."""
        if len(self.source.pieces) == 1:
            base = self.source.pieces[0][1]
            return base + start, base + end
        return self.source.span(start, end)

    def tokens(self) -> list[Token]:
        """Tokens with offsets into the whole text, whitespace tokens left out.

        A token's text is the document's own (``traf-\nficking``) where the
        clean text rejoined a word; its lemma comes from the rejoined word.
        """
        out = []
        for t in self.doc:
            if t.is_space:
                continue
            s, e = self.to_text(t.idx, t.idx + len(t))
            out.append(Token(self.text[s:e], s, e, t.pos_ or "X", t.tag_, t.lemma_ or t.text))
        return out

    def sentences(self) -> list[list[Token]]:
        """Tokens grouped by the pipeline's sentence boundaries."""
        toks = iter(self.tokens())
        out: list[list[Token]] = []
        for sent in self.doc.sents:
            n = sum(1 for t in sent if not t.is_space)
            out.append([next(toks) for _ in range(n)])
        return out


def parse_block(text: str, block: Block, *, lang: str | None = None, backend: str | None = None,
                entities: bool = False) -> ParsedPassage:
    """Run one passage of ``text`` through the pipeline of its language."""
    source = block.clean(text)
    chunk = source.text
    passage_lang = lang or detect(chunk)
    nlp = get_nlp(passage_lang, backend=backend, entities=entities)
    cfg = {"nktk_gazetteer": {"text": chunk}} if entities else None
    return ParsedPassage(block, passage_lang, nlp(chunk, component_cfg=cfg), source, text)


def parse(text: str, *, lang: str | None = None, backend: str | None = None, entities: bool = False,
          layout: bool = True, kinds: Collection[str] | None = None) -> Iterator[ParsedPassage]:
    """Run each passage of ``text`` (:func:`toolkit.layout.segment`) through the pipeline of its language.

    ``kinds`` keeps only passages of those kinds (``toolkit.layout.NAMING``: the article's body and headings).
    """
    for block in segment(text, layout=layout):
        if kinds is None or block.kind in kinds:
            yield parse_block(text, block, lang=lang, backend=backend, entities=entities)


def main_language(passages: Iterable[ParsedPassage], default: str = "en") -> str:
    """The language holding most characters of the record's body passages (of all, if none is body)."""
    sizes: dict[str, int] = {}
    body: dict[str, int] = {}
    for p in passages:
        n = p.span.end - p.span.start
        sizes[p.lang] = sizes.get(p.lang, 0) + n
        if p.span.kind == "body":
            body[p.lang] = body.get(p.lang, 0) + n
    sizes = body or sizes
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
