"""Factor labels for passages: the trained model, its scores, thresholds and evidence."""

from __future__ import annotations

import json
import threading
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
        """For each label in ``label_indices``, the words of the passage that pushed its score up most.

        ``row`` is the passage's row of :meth:`transform`. Offsets are into the
        passage, plus ``offset`` (the passage's start in its record). The
        passage's word features (lemma terms, pairs of terms, cue-lexicon hits)
        are hashed as the model hashes them, so each one's contribution
        (weight x value) can be read off and credited to its span; spans are
        ranked by total credit. Character n-grams also move the score but are
        not shown: a fragment of a word explains less than the word.
        """
        if not label_indices or row.nnz == 0:
            return {j: () for j in label_indices}
        text = feats.text
        values = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
        behind = self._features_behind(feats)
        out: dict[int, tuple[Evidence, ...]] = {}
        for j in label_indices:
            coef = self.pipeline[-1].coefficients(j)
            credit: dict[tuple[int, int], float] = {}
            for idx, spans in behind.items():
                value = values.get(idx, 0.0) * float(coef[idx])
                if value > 0:
                    for span in spans:
                        credit[span] = credit.get(span, 0.0) + value
            chosen: list[tuple[int, int]] = []
            for (s, e), _ in sorted(credit.items(), key=lambda kv: (-kv[1], kv[0])):
                if not any(s < ce and cs < e for cs, ce in chosen):
                    chosen.append((s, e))
                if len(chosen) == top:
                    break
            out[j] = tuple(Evidence(text[s:e], s + offset, e + offset) for s, e in sorted(chosen))
        return out

    def _features_behind(self, feats: PassageFeatures) -> dict[int, list[tuple[int, int]]]:
        """Column index -> the passage spans of the word features hashed there."""
        behind: dict[int, list[tuple[int, int]]] = {}
        for name, _, start, block in self._blocks:
            if name == "chars":
                continue
            size = int(block[0].n_features)
            for feature, spans in _candidates(name, feats).items():
                behind.setdefault(start + hash_index(feature, size), []).extend(spans)
        return behind


def hash_index(feature: str, n_features: int) -> int:
    """The column scikit-learn's ``HashingVectorizer(alternate_sign=False)`` gives ``feature``."""
    h = murmurhash3_32(feature, seed=0)
    if h == -2147483648:  # abs() of INT_MIN, as in sklearn's _hashing_fast
        return int((2147483647 - (n_features - 1)) % n_features)
    return int(abs(h) % n_features)


def _candidates(block: str, feats: PassageFeatures) -> dict[str, list[tuple[int, int]]]:
    """Each word feature this block makes of the passage, with the passage spans it comes from."""
    out: dict[str, list[tuple[int, int]]] = {}
    if block == "terms":
        terms = feats.term_spans
        for t, s, e in terms:
            out.setdefault(t, []).append((s, e))
        for (t1, s1, _), (t2, _, e2) in pairwise(terms):
            out.setdefault(f"{t1} {t2}", []).append((s1, e2))
    else:  # cue-lexicon hits; entity kinds are not shown as evidence
        for t, s, e in feats.tag_spans:
            if t.startswith(("LEX:", "CUE:")):
                out.setdefault(t, []).append((s, e))
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
