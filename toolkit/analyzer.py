"""The whole analysis of a record: passages, language, tokens, entities, factors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import gazetteer as _gazetteer
from .classify import FactorModel, load_model
from .entities import passage_entities
from .features import PassageFeatures, from_doc
from .io import BadRecord, Record
from .results import Analysis, Passage
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
            >>> a.passages[0].labels
            ('economic',)
        """
        record = item if isinstance(item, Record) else Record("text", item, {})
        parsed = list(parse(record.text, lang=self.lang, backend=self.backend, entities=True))
        return self._finish(record, parsed)

    def analyze_many(self, items: Iterable[str | Record | BadRecord], *, workers: int = 1,
                     chunksize: int = 8) -> Iterator[Analysis | Failure]:
        """Analyse many records in input order; a failing record yields a :class:`Failure`.

        With ``workers > 1`` the records go to that many spawned processes
        (never forked: the JVM of KoNLPy does not survive a fork).
        """
        if workers <= 1:
            for item in items:
                yield self.safe_analyze(item)
            return
        from .batch import parallel_map

        yield from parallel_map(self, items, workers=workers, chunksize=chunksize)

    def safe_analyze(self, item: str | Record | BadRecord) -> Analysis | Failure:
        """:meth:`analyze`, but a bad or failing record becomes a :class:`Failure`."""
        if isinstance(item, BadRecord):
            return Failure(item.id, item.error)
        rid = item.id if isinstance(item, Record) else "text"
        try:
            return self.analyze(item)
        except Exception as exc:  # one bad record must not stop a corpus run
            message = " ".join(str(exc).split()) or type(exc).__name__
            return Failure(rid, f"{rid}: {type(exc).__name__}: {message}"[:500])

    def _finish(self, record: Record, parsed: list[ParsedPassage]) -> Analysis:
        gaz = _gazetteer.load()
        feats: list[PassageFeatures] = []
        all_entities = []
        for p in parsed:
            ents = passage_entities(p)
            all_entities.extend(ents)
            rel = [type(e)(e.start - p.span.start, e.end - p.span.start, e.text, e.label, e.canonical, e.id)
                   for e in ents]
            feats.append(from_doc(p.doc, p.lang, rel, gaz))
        model = self.model
        scores = model.scores(feats)
        thresholds = model.thresholds
        passages = []
        for i, p in enumerate(parsed):
            row = scores[i]
            labels = tuple(lab for j, lab in enumerate(model.labels) if row[j] >= thresholds[j])
            evidence = {lab: model.evidence(feats[i], model.labels.index(lab), offset=p.span.start)
                        for lab in labels}
            meta = {"page": _page(record.meta["pages"], p.span.start)} if "pages" in record.meta else {}
            passages.append(Passage(p.span.start, p.span.end, p.lang, labels,
                                    {lab: float(row[j]) for j, lab in enumerate(model.labels)},
                                    evidence, meta))
        tokens = tuple(t for p in parsed for t in p.tokens()) if self.tokens else None
        return Analysis(record.id, main_language(parsed), tuple(passages), tuple(all_entities),
                        tokens, dict(record.meta), record.text if self.with_text else None)


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
        >>> [p.labels for p in analyzer.analyze("A broker took us across the Tumen.").passages]
        [('network',)]
    """
    return Analyzer(backend=backend, model=model, lang=lang, tokens=tokens, with_text=with_text)


_DEFAULT: dict[tuple[str | None, str | None], Analyzer] = {}


def classify(text: str, *, lang: str | None = None, model: str | Path | None = None) -> list[Passage]:
    """Factor labels, calibrated scores and evidence for each passage of ``text``.

    Example:
        >>> [p.labels for p in classify("배급이 끊긴 뒤 어머니는 장마당에서 국수를 팔았다.")]
        [('economic',)]
    """
    key = (lang, str(model) if model else None)
    if key not in _DEFAULT:
        _DEFAULT[key] = Analyzer(lang=lang, model=model)
    return list(_DEFAULT[key].analyze(text).passages)
