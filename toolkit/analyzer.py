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
from .results import Analysis, Entity, Passage, Token
from .tokenize import ParsedPassage, main_language, parse


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
    """

    def __init__(self, *, backend: str | None = None, model: str | Path | None = None,
                 lang: str | None = None, tokens: bool = False, with_text: bool = False) -> None:
        self.backend = backend
        self.model_path = Path(model) if model is not None else None
        self.lang = lang
        self.tokens = tokens
        self.with_text = with_text
        self._model: FactorModel | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (self.settings(),))

    def settings(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this analyzer (in another process)."""
        return {"backend": self.backend, "model": str(self.model_path) if self.model_path else None,
                "lang": self.lang, "tokens": self.tokens, "with_text": self.with_text}

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
        """Parse a record and compute its passages' features (everything but the classifier)."""
        gaz = _gazetteer.load()
        parsed = list(parse(record.text, lang=self.lang, backend=self.backend, entities=True))
        feats: list[PassageFeatures] = []
        entities: list[Entity] = []
        for p in parsed:
            entities.extend(passage_entities(p))
            # features want the component's own passage-relative offsets
            feats.append(from_doc(p.doc, p.lang, p.doc._.nktk_entities or [], gaz,
                                  text=record.text[p.span.start : p.span.end]))
        tokens = tuple(t for p in parsed for t in p.tokens()) if self.tokens else None
        return _Prepared(record, parsed, feats, entities, tokens)

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
            passages = []
            for p in prep.parsed:
                probs = scores[row]
                labels = tuple(lab for j, lab in enumerate(model.labels) if probs[j] >= model.thresholds[j])
                chosen = [j for j, lab in enumerate(model.labels) if lab in labels]
                found = model.evidence(feats[row], X[row], chosen, offset=p.span.start) if X is not None else {}
                evidence = {model.labels[j]: ev for j, ev in found.items()}
                meta = {"page": _page(record.meta["pages"], p.span.start)} if "pages" in record.meta else {}
                passages.append(Passage(p.span.start, p.span.end, p.lang, labels,
                                        {lab: float(probs[j]) for j, lab in enumerate(model.labels)},
                                        evidence, meta))
                row += 1
            out.append(Analysis(record.id, main_language(prep.parsed), tuple(passages), tuple(prep.entities),
                                prep.tokens, dict(record.meta), record.text if self.with_text else None))
        return out


@dataclass
class _Prepared:
    """A parsed record waiting for the classifier."""

    record: Record
    parsed: list[ParsedPassage]
    features: list[PassageFeatures]
    entities: list[Entity]
    tokens: tuple[Token, ...] | None


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
         tokens: bool = False, with_text: bool = False) -> Analyzer:
    """An :class:`Analyzer` with these settings; models load on first use.

    Example:
        >>> analyzer = load()
        >>> "network" in analyzer.analyze("A broker took us across the Tumen.").passages[0].labels
        True
    """
    return Analyzer(backend=backend, model=model, lang=lang, tokens=tokens, with_text=with_text)


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
