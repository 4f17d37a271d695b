"""Factor labels for passages: the trained model, its scores, thresholds and evidence."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from . import model as _model
from .data import data_dir
from .errors import ModelError
from .features import PassageFeatures, matrix
from .results import Evidence

MODEL_FILE = "factors.skops"
CARD_FILE = "factors.card.json"
_WORD = re.compile(r"[^\s.,;:!?()\"'“”‘’«»《》\[\]]+")


def default_model_dir() -> Path:
    """The bundled model folder (``models/`` of the source tree)."""
    return data_dir("models")


@dataclass(frozen=True)
class FactorModel:
    """A loaded factor model: the scikit-learn pipeline and its model card."""

    pipeline: Pipeline
    labels: tuple[str, ...]
    card: dict[str, Any]

    @property
    def thresholds(self) -> np.ndarray:
        return np.asarray(self.pipeline[-1].decision_thresholds())

    def scores(self, features: Sequence[PassageFeatures]) -> np.ndarray:
        """Calibrated probability of every label for each passage (rows in input order)."""
        if not features:
            return np.zeros((0, len(self.labels)))
        return np.asarray(self.pipeline.predict_proba(matrix(features)))

    def evidence(self, feats: PassageFeatures, label_index: int, *, offset: int = 0,
                 top: int = 3) -> tuple[Evidence, ...]:
        """The passage spans that pushed label ``label_index`` up most.

        Offsets are into the passage, plus ``offset`` (the passage's start in its record).

        Each feature's contribution (weight x value) is credited to the words it
        came from: lemma terms to their tokens, character n-grams to the words
        containing them, cue and entity tags to their spans. Words are ranked by
        their total positive contribution.
        """
        transformer = self.pipeline[0]
        row = transformer.transform(matrix([feats])).tocsr()
        coef = self.pipeline[-1].coefficients(label_index)
        names = _feature_names(self.pipeline)
        contrib = row.data * coef[row.indices]
        credit: dict[tuple[int, int], float] = {}
        text = feats.text
        for idx, value in zip(row.indices, contrib, strict=True):
            if value <= 0:
                continue
            block, _, feat = names[idx].partition("__")
            for span in _spans_of(block, feat, feats, text):
                credit[span] = credit.get(span, 0.0) + float(value)
        ranked = sorted(credit.items(), key=lambda kv: (-kv[1], kv[0]))
        out: list[Evidence] = []
        for (start, end), _ in ranked:
            if any(start < e.end and e.start < end for e in out):
                continue
            out.append(Evidence(text[start:end], start + offset, end + offset))
            if len(out) == top:
                break
        return tuple(sorted(out, key=lambda e: e.start))


_NAMES_CACHE: dict[int, list[str]] = {}


def _feature_names(pipeline: Pipeline) -> list[str]:
    key = id(pipeline)
    if key not in _NAMES_CACHE:
        _NAMES_CACHE[key] = [str(n) for n in pipeline[0].get_feature_names_out()]
    return _NAMES_CACHE[key]


def _spans_of(block: str, feat: str, feats: PassageFeatures, text: str) -> list[tuple[int, int]]:
    if block == "terms":
        parts = feat.split(" ")
        terms = feats.term_spans
        if len(parts) == 1:
            return [(s, e) for t, s, e in terms if t == feat]
        return [(terms[i][1], terms[i + 1][2]) for i in range(len(terms) - 1)
                if terms[i][0] == parts[0] and terms[i + 1][0] == parts[1]]
    if block == "tags":  # cue-lexicon hits; entity kinds are not shown as evidence
        if not feat.startswith(("LEX:", "CUE:")):
            return []
        return [(s, e) for t, s, e in feats.tag_spans if t == feat]
    gram = feat.strip()
    if len(gram) < 2:
        return []
    spans = []
    for m in re.finditer(re.escape(gram), text, re.IGNORECASE):
        word = _word_around(text, m.start(), m.end())
        if word is not None:
            spans.append(word)
    return spans


def _word_around(text: str, start: int, end: int) -> tuple[int, int] | None:
    for m in _WORD.finditer(text, max(0, start - 40)):
        if m.start() <= start and end <= m.end():
            return m.start(), m.end()
        if m.start() > start:
            break
    return None


_LOADED: dict[Path, FactorModel] = {}
_LOCK = threading.Lock()


def load_model(path: Path | str | None = None) -> FactorModel:
    """Load a factor model folder (or ``.skops`` file) once per process; default: the bundled one.

    Raises:
        ModelError: missing, corrupted or untrusted model file.
    """
    path = Path(path) if path is not None else default_model_dir()
    file = path if path.suffix == ".skops" else path / MODEL_FILE
    card_file = file.with_name(CARD_FILE) if file.name == MODEL_FILE else file.with_suffix(".card.json")
    key = file.resolve()
    with _LOCK:
        if key not in _LOADED:
            pipeline = _model.load(file)
            card: dict[str, Any] = {}
            if card_file.is_file():
                try:
                    card = json.loads(card_file.read_text(encoding="utf-8"))
                except json.JSONDecodeError:
                    raise ModelError(f"{card_file}: model card is not valid JSON") from None
            labels = tuple(card.get("labels", _model.FACTORS))
            _LOADED[key] = FactorModel(pipeline, labels, card)
        return _LOADED[key]
