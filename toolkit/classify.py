"""Factor labels for passages: the trained model, its scores, thresholds and evidence."""

from __future__ import annotations

import json
import re
import threading
from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix, hstack
from sklearn.pipeline import Pipeline
from sklearn.utils import murmurhash3_32

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


class FactorModel:
    """A loaded factor model: the scikit-learn pipeline, its labels and its model card."""

    def __init__(self, pipeline: Pipeline, labels: tuple[str, ...], card: dict[str, Any]) -> None:
        self.pipeline = pipeline
        self.labels = labels
        self.card = card
        self.thresholds = np.asarray(pipeline[-1].decision_thresholds())
        # (name, column, first feature index, fitted block pipeline) in the column transformer's order
        self._blocks: list[tuple[str, int, int, Any]] = []
        start = 0
        for name, block, column in pipeline[0].transformers_:
            if block == "drop":
                continue
            self._blocks.append((name, int(column), start, block))
            start += int(block[0].n_features)

    def transform(self, features: Sequence[PassageFeatures]) -> csr_matrix:
        """The model's feature matrix of the passages (one row each).

        The same as the column transformer's ``transform``, block by block, without
        its per-call overhead (this runs once per batch of passages).
        """
        rows = matrix(features)
        return csr_matrix(hstack([block.transform(rows[:, column]) for _, column, _, block in self._blocks],
                                 format="csr"))

    def scores(self, X: csr_matrix) -> np.ndarray:
        """Calibrated probability of every label for each row of :meth:`transform`'s matrix."""
        if X.shape[0] == 0:
            return np.zeros((0, len(self.labels)))
        return np.asarray(self.pipeline[-1].predict_proba(X))

    def evidence(self, feats: PassageFeatures, row: csr_matrix, label_indices: Sequence[int], *,
                 offset: int = 0, top: int = 3) -> dict[int, tuple[Evidence, ...]]:
        """For each label in ``label_indices``, the passage spans that pushed its score up most.

        ``row`` is the passage's row of :meth:`transform`. Offsets are into the
        passage, plus ``offset`` (the passage's start in its record). The
        passage's features (lemma terms and their pairs, character n-grams,
        cue-lexicon tags) are hashed as the model hashes them, so each column of
        ``row`` maps back to the features behind it; the strongest positive
        contributions (weight x value) are credited to the words they came from,
        and words are ranked by their total credit.
        """
        if not label_indices or row.nnz == 0:
            return {j: () for j in label_indices}
        text = feats.text
        behind = self._features_behind(feats)
        words: list[tuple[int, int]] | None = None
        low = text.lower() if len(text.lower()) == len(text) else text
        out: dict[int, tuple[Evidence, ...]] = {}
        for j in label_indices:
            contrib = row.data * self.pipeline[-1].coefficients(j)[row.indices]
            credit: dict[tuple[int, int], float] = {}
            for k in np.argsort(-contrib)[:_TOP_FEATURES]:
                value = float(contrib[k])
                if value <= 0:
                    break
                for block, feature, spans in behind.get(int(row.indices[k]), ()):
                    if block == "chars":
                        words = words if words is not None else [(m.start(), m.end()) for m in _WORD.finditer(text)]
                        spans = _words_with(low, feature, words)
                    for span in spans:
                        credit[span] = credit.get(span, 0.0) + value
            ranked = sorted(credit.items(), key=lambda kv: (-kv[1], kv[0]))
            chosen: list[tuple[int, int]] = []
            for (s, e), _ in ranked:
                if not any(s < ce and cs < e for cs, ce in chosen):
                    chosen.append((s, e))
                if len(chosen) == top:
                    break
            out[j] = tuple(Evidence(text[s:e], s + offset, e + offset) for s, e in sorted(chosen))
        return out

    def _features_behind(self, feats: PassageFeatures) -> dict[int, list[tuple[str, str, list[tuple[int, int]]]]]:
        """Column index -> the passage's features hashed there, with their spans."""
        behind: dict[int, list[tuple[str, str, list[tuple[int, int]]]]] = {}
        for name, _, start, block in self._blocks:
            candidates = _candidates(name, feats, block[0])
            if not candidates:
                continue
            size = int(block[0].n_features)
            for feature, spans in candidates.items():
                behind.setdefault(start + hash_index(feature, size), []).append((name, feature, spans))
        return behind


def hash_index(feature: str, n_features: int) -> int:
    """The column scikit-learn's ``HashingVectorizer(alternate_sign=False)`` gives ``feature``."""
    h = murmurhash3_32(feature, seed=0)
    if h == -2147483648:  # abs() of INT_MIN, as in sklearn's _hashing_fast
        return int((2147483647 - (n_features - 1)) % n_features)
    return int(abs(h) % n_features)


def _candidates(block: str, feats: PassageFeatures, vectorizer: Any) -> dict[str, list[tuple[int, int]]]:
    """Each feature this block makes of the passage, with the passage spans it comes from.

    Character n-grams come without spans: only the strongest are traced (:func:`_words_with`).
    """
    out: dict[str, list[tuple[int, int]]] = {}
    if block == "terms":
        terms = feats.term_spans
        for t, s, e in terms:
            out.setdefault(t, []).append((s, e))
        for (t1, s1, _), (t2, _, e2) in pairwise(terms):
            out.setdefault(f"{t1} {t2}", []).append((s1, e2))
    elif block == "tags":  # cue-lexicon hits; entity kinds are not shown as evidence
        for t, s, e in feats.tag_spans:
            if t.startswith(("LEX:", "CUE:")):
                out.setdefault(t, []).append((s, e))
    else:
        out = {gram: [] for gram in vectorizer.build_analyzer()(feats.text)}
    return out


_TOP_FEATURES = 40


def _words_with(text: str, gram: str, words: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The words of ``text`` (already lower-cased) that contain the character n-gram ``gram``."""
    gram = gram.strip()
    if len(gram) < 2:
        return []
    out = []
    pos = text.find(gram)
    while pos >= 0:
        k = bisect_right(words, (pos, len(text) + 1)) - 1
        if k >= 0 and words[k][0] <= pos and pos + len(gram) <= words[k][1]:
            out.append(words[k])
        pos = text.find(gram, pos + 1)
    return out


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
