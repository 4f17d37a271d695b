"""The whole analysis of a record: passages, language, tokens, entities, factors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np

from . import gazetteer as _gazetteer
from .classify import FactorModel, load_model
from .entities import passage_entities
from .features import PassageFeatures, from_doc
from .io import BadRecord, Record
from .layout import BODY, HEADING, Block, segment
from .passages import detect
from .results import Analysis, Entity, Evidence, Passage, Token
from .tokenize import ParsedPassage, parse_block


@dataclass(frozen=True, slots=True)
class Failure:
    """A record that could not be analysed: it stays in the output as ``{"id", "error"}``."""

    id: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        """The error record of DESIGN.md."""
        return {"id": self.id, "error": self.error}


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
            self._model = load_model(self.model_path)
        return self._model

    def analyze(self, item: str | Record) -> Analysis:
        """Analyse a text or a :class:`~toolkit.io.Record`.

        Example:
            >>> a = Analyzer().analyze("배급이 끊긴 뒤 어머니는 장마당에서 국수를 팔았다.")
            >>> "economic" in a.passages[0].labels
            True
        """
        record = item if isinstance(item, Record) else Record("text", item, {})
        return self._classify([self._prepare(record)])[0]

    def analyze_batch(self, items: Sequence[str | Record | BadRecord]) -> list[Analysis | Failure]:
        """Analyse records together (one classifier call for all their passages), in order.

        A bad or failing record becomes a :class:`Failure`; the others go on.
        """
        prepared: list[_Prepared | Failure] = []
        for item in items:
            if isinstance(item, BadRecord):
                prepared.append(Failure(item.id, item.error))
                continue
            record = item if isinstance(item, Record) else Record("text", item, {})
            try:
                prepared.append(self._prepare(record))
            except Exception as exc:  # one bad record must not stop a corpus run
                prepared.append(_failure(record.id, exc))
        ready = [p for p in prepared if isinstance(p, _Prepared)]
        done: Iterator[Analysis | Failure]
        try:
            done = iter(self._classify(ready))
        except Exception:  # find the record that fails, keep the others
            done = iter(self._classify_each(ready))
        return [next(done) if isinstance(p, _Prepared) else p for p in prepared]

    def analyze_many(self, items: Iterable[str | Record | BadRecord], *, workers: int = 1,
                     batch_size: int = 32) -> Iterator[Analysis | Failure]:
        """Analyse many records in input order; a failing record yields a :class:`Failure`.

        Records are classified in batches of ``batch_size``. With ``workers > 1``
        the batches go to that many spawned processes (never forked: the JVM of
        KoNLPy does not survive a fork).
        """
        if workers <= 1:
            it = iter(items)
            while batch := list(islice(it, batch_size)):
                yield from self.analyze_batch(batch)
            return
        from .batch import parallel_map

        yield from parallel_map(self, items, workers=workers, chunksize=batch_size)

    def safe_analyze(self, item: str | Record | BadRecord) -> Analysis | Failure:
        """:meth:`analyze`, but a bad or failing record becomes a :class:`Failure`."""
        return self.analyze_batch([item])[0]

    def _prepare(self, record: Record) -> _Prepared:
        """Lay out and parse a record, and compute its body passages' features (all but the classifier).

        Body passages and headings go through the pipeline (headings name
        places too); boilerplate and references are kept with their offsets
        but neither parsed nor classified.
        """
        gaz = _gazetteer.load()
        text = record.text
        blocks = segment(text, layout=self.layout)
        parsed: list[ParsedPassage | None] = []
        feats: list[PassageFeatures] = []
        entities: list[Entity] = []
        for block in blocks:
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
        return _Prepared(record, blocks, parsed, feats, entities, tokens)

    def _classify_each(self, ready: list[_Prepared]) -> list[Analysis | Failure]:
        out: list[Analysis | Failure] = []
        for prep in ready:
            try:
                out.extend(self._classify([prep]))
            except Exception as exc:
                out.append(_failure(prep.record.id, exc))
        return out

    def _classify(self, ready: list[_Prepared]) -> list[Analysis]:
        model = self.model
        feats = [f for prep in ready for f in prep.features]
        X = model.transform(feats) if feats else None
        scores = model.scores(X) if X is not None else np.zeros((0, len(model.labels)))
        out: list[Analysis] = []
        row = 0
        for prep in ready:
            record = prep.record
            text = record.text
            passages = []
            sizes: dict[str, int] = {}
            for block, p in zip(prep.blocks, prep.parsed, strict=True):
                lang = p.lang if p is not None else self.lang or detect(text[block.start : block.end])
                meta = {"page": _page(record.meta["pages"], block.start)} if "pages" in record.meta else {}
                if block.kind == BODY:
                    sizes[lang] = sizes.get(lang, 0) + block.end - block.start
                if block.kind != BODY or p is None or X is None:
                    passages.append(Passage(block.start, block.end, lang, meta=meta, kind=block.kind,
                                            gaps=block.gaps))
                    continue
                probs = scores[row]
                labels = tuple(lab for j, lab in enumerate(model.labels) if probs[j] >= model.thresholds[j])
                chosen = [j for j, lab in enumerate(model.labels) if lab in labels]
                found = model.evidence(feats[row], X[row], chosen)
                evidence = {model.labels[j]: _in_text(p, ev) for j, ev in found.items()}
                passages.append(Passage(block.start, block.end, lang, labels,
                                        {lab: float(probs[j]) for j, lab in enumerate(model.labels)},
                                        evidence, meta, BODY, block.section, block.gaps))
                row += 1
            record_lang = max(sizes, key=lambda k: sizes[k]) if sizes else passages[0].lang if passages else "en"
            out.append(Analysis(record.id, record_lang, tuple(passages), tuple(prep.entities),
                                prep.tokens, dict(record.meta), text if self.with_text else None))
        return out


@dataclass
class _Prepared:
    """A parsed record waiting for the classifier."""

    record: Record
    blocks: list[Block]
    parsed: list[ParsedPassage | None]
    features: list[PassageFeatures]
    entities: list[Entity]
    tokens: tuple[Token, ...] | None


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


def _page(pages: list[list[int]], offset: int) -> int:
    """The PDF page on which ``offset`` lies (``pages`` holds ``[start offset, page number]``)."""
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
