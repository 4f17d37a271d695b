"""The whole analysis of a record: passages, language, tokens, entities, factors.

A record is analysed in three steps, so that a large one can be spread over
worker processes (:mod:`toolkit.parallel`) and still give the same result:

1. :meth:`Analyzer.cut`: the layout step (:mod:`toolkit.layout`, cheap) cuts the
   record into passages and groups consecutive passages into :class:`Piece` s;
2. :meth:`Analyzer.analyze_pieces`: each passage is parsed, its entities found
   and, if it is body text, classified. Nothing here looks beyond a passage, so
   a piece's result does not depend on how the record was grouped;
3. :meth:`Analyzer.assemble`: the pieces' passages and entities, in order, make
   the record's :class:`~toolkit.results.Analysis`.

spaCy and scikit-learn are imported where they are first needed: a batch's
parent process, which only reads, cuts, assembles and writes, never loads them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, InputError, ModelError
from .io import BadRecord, Record
from .layout import BODY, HEADING, Block, segment
from .passages import detect
from .results import Analysis, Entity, Evidence, Failure, Passage, Token

if TYPE_CHECKING:
    from .factors import FactorModel
    from .features import PassageFeatures
    from .parsing import ParsedPassage

__all__ = ["Analyzer", "Failure", "Piece", "PieceResult", "classify", "load"]

# Errors of the set-up (a model that cannot load, an analyser that is not installed), not of a record:
# they stop the run instead of turning every record into an error record.
_SETUP_ERRORS = (ConfigError, ModelError)


@dataclass(frozen=True, slots=True)
class Piece:
    """Consecutive passages of one record: the unit of analysis work.

    ``text`` is the record's text from ``start`` to the end of the last block;
    ``blocks`` keep offsets into the whole record, so results need no shifting.
    ``last`` marks the record's final piece. A record that cannot be read or cut
    is one piece with ``error`` set.
    """

    id: str
    start: int
    text: str
    blocks: tuple[Block, ...]
    pages: tuple[tuple[int, int], ...] | None = None
    last: bool = True
    error: str | None = None

    @property
    def size(self) -> int:
        """Characters of work in the piece."""
        return len(self.text)

    def record_text(self) -> str:
        """A string on which the blocks' record offsets are valid: the piece's text behind ``start`` spaces
        (the characters of other pieces are never read)."""
        return " " * self.start + self.text if self.start else self.text


@dataclass(frozen=True, slots=True)
class PieceResult:
    """The passages, entities and (if asked for) tokens of one :class:`Piece`, in record offsets."""

    passages: tuple[Passage, ...]
    entities: tuple[Entity, ...]
    tokens: tuple[Token, ...] | None


class Analyzer:
    """Runs records through the per-language pipelines and the factor model.

    Pipelines and the model load on first use and are shared by every call in
    the process (and rebuilt once in each worker process).

    Args:
        backend: Korean analyser (default ``mecab``).
        model: a model folder or ``.skops`` file (default: the bundled model).
        lang: force every passage to ``en`` or ``ko`` (default: detect per passage).
        tokens: include tokens in each :class:`~toolkit.results.Analysis`.
        with_text: include the record's text (offsets refer to it).
        layout: recover paragraphs and passage kinds from the document's layout
            (:mod:`toolkit.layout`); ``False`` takes each record as one pre-cut passage.
    """

    def __init__(self, *, backend: str | None = None, model: str | Path | None = None,
                 lang: str | None = None, tokens: bool = False, with_text: bool = False,
                 layout: bool = True) -> None:
        self.backend = backend
        self.model_path = Path(model) if model is not None else None
        self.lang = lang
        self.tokens = tokens
        self.with_text = with_text
        self.layout = layout
        self._model: FactorModel | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.settings(),))

    def settings(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this analyzer (in another process)."""
        return {"backend": self.backend, "model": str(self.model_path) if self.model_path else None,
                "lang": self.lang, "tokens": self.tokens, "with_text": self.with_text, "layout": self.layout}

    @property
    def model(self) -> FactorModel:
        if self._model is None:
            from .factors import load_model

            self._model = load_model(self.model_path)
        return self._model

    def warm_up(self) -> None:
        """Load the model and both languages' pipelines now rather than on the first record."""
        from .pipeline import get_nlp

        _ = self.model
        for lang in (self.lang,) if self.lang else ("en", "ko"):
            get_nlp(lang, backend=self.backend, entities=True)

    # --- records -------------------------------------------------------------------------------------

    def analyze(self, item: str | Record) -> Analysis:
        """Analyse a text or a :class:`~toolkit.io.Record` (a plain string gets the id ``0``).

        Example:
            >>> a = Analyzer().analyze("배급이 끊긴 뒤 어머니는 장마당에서 국수를 팔았다.")
            >>> "economic" in a.passages[0].labels
            True
        """
        record = item if isinstance(item, Record) else Record("0", item, {})
        result = self.analyze_batch([record])[0]
        if isinstance(result, Failure):
            raise InputError(result.error)
        return result

    def analyze_batch(self, items: Sequence[str | Record | BadRecord]) -> list[Analysis | Failure]:
        """Analyse records together (their passages classified in a few large calls), in order.

        A bad or failing record becomes a :class:`Failure`; the others go on.
        Plain strings get the ids ``0, 1, 2…`` of their position.
        """
        return list(self.analyze_many(items, batch_size=max(len(items), 1)))

    def analyze_many(self, items: Iterable[str | Record | BadRecord], *, workers: int = 1,
                     batch_size: int = 32) -> Iterator[Analysis | Failure]:
        """Analyse many records in input order; a failing record yields a :class:`Failure`.

        Plain strings get the ids ``0, 1, 2…`` of their position. Records are
        cut into pieces of consecutive passages (:mod:`toolkit.parallel`); with
        ``workers > 1`` the pieces are spread over that many spawned processes
        (never forked: KoNLPy's JVM does not survive a fork), so one large
        record does not hold the whole job. A script that does this needs an
        ``if __name__ == "__main__":`` guard; without one, this raises
        :class:`~toolkit.errors.NktkError` saying so.
        """
        from .parallel import analyze

        records = (_as_record(item, n) for n, item in enumerate(items))
        yield from analyze(self, records, workers=workers, batch_size=batch_size)

    def safe_analyze(self, item: str | Record | BadRecord) -> Analysis | Failure:
        """:meth:`analyze`, but a bad or failing record becomes a :class:`Failure`."""
        return self.analyze_batch([item])[0]

    # --- the three steps -----------------------------------------------------------------------------

    def cut(self, item: Record | BadRecord, *, size: int | None) -> list[Piece]:
        """The record's passages (the layout step), grouped into pieces of about ``size`` characters.

        ``size=None`` keeps the record whole. A bad record, or one the layout
        step fails on, is one piece carrying the error.
        """
        if isinstance(item, BadRecord):
            return [Piece(item.id, 0, "", (), error=item.error)]
        text = item.text
        try:
            blocks = segment(text, layout=self.layout)
        except Exception as exc:  # one bad record must not stop a corpus run
            return [Piece(item.id, 0, "", (), error=_failure(item.id, exc).error)]
        pages = tuple((int(s), int(n)) for s, n in item.meta["pages"]) if "pages" in item.meta else None
        if size is None or len(text) <= size or len(blocks) < 2:
            return [Piece(item.id, 0, text, tuple(blocks), pages)]
        groups: list[list[Block]] = [[]]
        for block in blocks:
            if groups[-1] and block.end - groups[-1][0].start > size:
                groups.append([])
            groups[-1].append(block)
        out = []
        for n, group in enumerate(groups):
            # a paragraph interrupted by a page's furniture ends after the blocks of its gaps
            start, end = min(b.start for b in group), max(b.end for b in group)
            out.append(Piece(item.id, start, text[start:end], tuple(group), pages, last=n + 1 == len(groups)))
        return out

    def analyze_pieces(self, pieces: Sequence[Piece]) -> list[PieceResult | Failure]:
        """Parse, find entities in and classify the passages of ``pieces`` (one classifier call for all).

        A piece that fails becomes a :class:`Failure` naming its record; a
        set-up error (the model or an analyser cannot load) is raised.
        """
        prepared: list[_Prepared | Failure] = []
        for piece in pieces:
            if piece.error is not None:
                prepared.append(Failure(piece.id, piece.error))
                continue
            try:
                prepared.append(self._prepare(piece))
            except _SETUP_ERRORS:
                raise
            except Exception as exc:  # one bad record must not stop a corpus run
                prepared.append(_failure(piece.id, exc))
        ready = [p for p in prepared if isinstance(p, _Prepared)]
        done: Iterator[PieceResult | Failure]
        try:
            done = iter(self._classify(ready))
        except _SETUP_ERRORS:
            raise
        except Exception:  # find the piece that fails, keep the others
            done = iter(self._classify_each(ready))
        return [next(done) if isinstance(p, _Prepared) else p for p in prepared]

    def assemble(self, item: Record | BadRecord, results: Sequence[PieceResult | Failure]) -> Analysis | Failure:
        """The record's analysis from its pieces' results, in order (a failed piece fails the record)."""
        for res in results:
            if isinstance(res, Failure):
                return res
        if isinstance(item, BadRecord):  # pragma: no cover - a bad record's only piece is a Failure
            return Failure(item.id, item.error)
        parts = [res for res in results if isinstance(res, PieceResult)]
        passages = tuple(p for part in parts for p in part.passages)
        sizes: dict[str, int] = {}
        for p in passages:
            if p.kind == BODY:
                sizes[p.lang] = sizes.get(p.lang, 0) + p.end - p.start
        lang = max(sizes, key=lambda k: sizes[k]) if sizes else passages[0].lang if passages else "en"
        tokens = tuple(t for part in parts for t in part.tokens or ()) if self.tokens else None
        return Analysis(item.id, lang, passages, tuple(e for part in parts for e in part.entities), tokens,
                        dict(item.meta), item.text if self.with_text else None)

    # --- inside a piece --------------------------------------------------------------------------------

    def _prepare(self, piece: Piece) -> _Prepared:
        """Parse a piece's passages and compute its body passages' features (all but the classifier).

        Body passages and headings go through the pipeline (headings name
        places too); boilerplate and references are kept with their offsets
        but neither parsed nor classified.
        """
        from . import gazetteer as _gazetteer
        from .entities import passage_entities
        from .features import from_doc
        from .parsing import parse_block

        gaz = _gazetteer.load()
        text = piece.record_text()
        parsed: list[ParsedPassage | None] = []
        feats: list[PassageFeatures] = []
        entities: list[Entity] = []
        for block in piece.blocks:
            if block.kind not in (BODY, HEADING) and not self.tokens:
                parsed.append(None)
                continue
            p = parse_block(text, block, lang=self.lang, backend=self.backend, entities=True)
            parsed.append(p)
            if block.kind not in (BODY, HEADING):
                continue
            entities.extend(passage_entities(p))
            if block.kind == BODY:
                # features want the component's own passage-relative offsets
                feats.append(from_doc(p.doc, p.lang, p.doc._.nktk_entities or [], gaz, text=p.source.text))
        tokens = tuple(t for p in parsed if p is not None for t in p.tokens()) if self.tokens else None
        return _Prepared(piece, text, parsed, feats, entities, tokens)

    def _classify_each(self, ready: list[_Prepared]) -> list[PieceResult | Failure]:
        out: list[PieceResult | Failure] = []
        for prep in ready:
            try:
                out.extend(self._classify([prep]))
            except _SETUP_ERRORS:
                raise
            except Exception as exc:
                out.append(_failure(prep.piece.id, exc))
        return out

    def _classify(self, ready: list[_Prepared]) -> list[PieceResult]:
        import numpy as np

        model = self.model
        feats = [f for prep in ready for f in prep.features]
        X = model.transform(feats) if feats else None
        scores = model.scores(X) if X is not None else np.zeros((0, len(model.labels)))
        rows = model.rows(X) if X is not None else []
        out: list[PieceResult] = []
        row = 0
        for prep in ready:
            piece, text = prep.piece, prep.text
            passages = []
            for block, p in zip(piece.blocks, prep.parsed, strict=True):
                lang = p.lang if p is not None else self.lang or detect(text[block.start : block.end])
                meta = {"page": _page(piece.pages, block.start)} if piece.pages is not None else {}
                if block.kind != BODY or p is None or X is None:
                    passages.append(Passage(block.start, block.end, lang, meta=meta, kind=block.kind,
                                            gaps=block.gaps))
                    continue
                probs = scores[row]
                labels = tuple(lab for j, lab in enumerate(model.labels) if probs[j] >= model.thresholds[j])
                chosen = [j for j, lab in enumerate(model.labels) if lab in labels]
                found = model.evidence(feats[row], rows[row], chosen)
                evidence = {model.labels[j]: _in_text(p, ev) for j, ev in found.items()}
                passages.append(Passage(block.start, block.end, lang, labels,
                                        {lab: float(probs[j]) for j, lab in enumerate(model.labels)},
                                        evidence, meta, BODY, block.section, block.gaps))
                row += 1
            out.append(PieceResult(tuple(passages), tuple(prep.entities), prep.tokens))
        return out


@dataclass
class _Prepared:
    """A parsed piece waiting for the classifier."""

    piece: Piece
    text: str
    parsed: list[ParsedPassage | None]
    features: list[PassageFeatures]
    entities: list[Entity]
    tokens: tuple[Token, ...] | None


def _as_record(item: str | Record | BadRecord, n: int) -> Record | BadRecord:
    """A record for item ``n`` of the input: plain strings get their position as id."""
    if isinstance(item, str):
        return Record(str(n), item, {})
    if not isinstance(item, Record | BadRecord):
        raise InputError(f"item {n}: expected a str or a toolkit.Record, got {type(item).__name__}")
    return item


def _in_text(passage: ParsedPassage, found: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    """Evidence with offsets into the record's text (the model saw the passage's clean text)."""
    out = []
    for ev in found:
        s, e = passage.to_text(ev.start, ev.end)
        out.append(Evidence(passage.text[s:e], s, e))
    return tuple(out)


def _failure(rid: str, exc: Exception) -> Failure:
    message = " ".join(str(exc).split()) or type(exc).__name__
    return Failure(rid, f"{rid}: {type(exc).__name__}: {message}"[:500])


def _page(pages: Sequence[tuple[int, int]], offset: int) -> int:
    """The PDF page on which ``offset`` lies (``pages`` holds ``(start offset, page number)``)."""
    number = pages[0][1] if pages else 1
    for start, page in pages:
        if start > offset:
            break
        number = page
    return number


def _rebuild(settings: dict[str, Any]) -> Analyzer:
    return Analyzer(**settings)


def load(*, backend: str | None = None, model: str | Path | None = None, lang: str | None = None,
         tokens: bool = False, with_text: bool = False, layout: bool = True) -> Analyzer:
    """An :class:`Analyzer` with these settings; models load on first use.

    Example:
        >>> analyzer = load()
        >>> "network" in analyzer.analyze("A broker took us across the Tumen.").passages[0].labels
        True
    """
    return Analyzer(backend=backend, model=model, lang=lang, tokens=tokens, with_text=with_text, layout=layout)


_DEFAULT: dict[tuple[str | None, str | None], Analyzer] = {}


def classify(text: str, *, lang: str | None = None, model: str | Path | None = None) -> list[Passage]:
    """Factor labels, calibrated scores and evidence for each passage of ``text``.

    Example:
        >>> ["economic" in p.labels for p in classify("배급이 끊긴 뒤 어머니는 장마당에서 국수를 팔았다.")]
        [True]
    """
    key = (lang, str(model) if model else None)
    if key not in _DEFAULT:
        _DEFAULT[key] = Analyzer(lang=lang, model=model)
    return list(_DEFAULT[key].analyze(text).passages)
