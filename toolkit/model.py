"""The factor classifier: a scikit-learn estimator, its feature pipeline, safe save and load.

:class:`FactorClassifier` is a plain estimator on a numeric feature matrix: one
logistic regression per factor, its probabilities calibrated by a sigmoid fitted
on cross-validated scores, and a decision threshold per factor (a
hyperparameter, tuned on the dev split by :func:`tune_thresholds`). It takes a
multi-label indicator matrix, or a 1-D label vector (then it is an ordinary
one-vs-rest multiclass classifier), so scikit-learn's estimator checks apply.

:func:`build` puts it behind a column transformer over the strings that
:mod:`toolkit.features` computes. Models are written with skops and loaded
with an explicit list of trusted types; anything else in the file is refused.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _check_sample_weight, check_is_fitted, column_or_1d, validate_data

from .errors import ModelError

FACTORS = ("structural", "economic", "pull", "network")


class FactorClassifier(ClassifierMixin, BaseEstimator):
    """One calibrated logistic regression per label, with per-label thresholds.

    Args:
        C: inverse regularization strength of each logistic regression.
        class_weight: passed to each logistic regression (``"balanced"`` helps rare factors).
        cv: folds for the sigmoid calibration (fewer when a label has fewer examples;
            no calibration below two), or an iterable of (train, test) splits.
        thresholds: decision threshold per label (sequence in label order); ``None`` means 0.5.

    Example:
        >>> import numpy as np
        >>> X = np.array([[0.0, 1.0], [1.0, 0.0]] * 10)
        >>> Y = np.array([[0, 1], [1, 0]] * 10)
        >>> FactorClassifier().fit(X, Y).predict(X[:2]).tolist()
        [[0, 1], [1, 0]]
    """

    def __init__(self, C: float = 4.0, class_weight: str | None = "balanced", cv: Any = 5,
                 thresholds: Sequence[float] | None = None) -> None:
        self.C = C
        self.class_weight = class_weight
        self.cv = cv
        self.thresholds = thresholds

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> FactorClassifier:
        """Fit one calibrated logistic regression per label column of ``y``.

        ``sample_weight`` (one non-negative weight per row) reaches each
        regression and its calibration: ``nktk train`` weighs reviewed
        passages above the bundled corpus with it.
        """
        X, y = validate_data(self, X, y, accept_sparse="csr", multi_output=True, dtype=np.float64)
        weights = None if sample_weight is None else _check_sample_weight(sample_weight, X)
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)  # a column vector is one label, not a multi-label matrix
        target = type_of_target(y, input_name="y", raise_unknown=True)
        self.multilabel_ = target == "multilabel-indicator"
        if self.multilabel_:
            Y = y.astype(int)
            self.classes_ = np.arange(Y.shape[1])
        elif target in ("binary", "multiclass"):
            self._binarizer = LabelBinarizer().fit(y)
            self.classes_ = self._binarizer.classes_
            Y = self._binarizer.transform(y)
            if Y.shape[1] == 1:  # binary: one column for the positive class
                Y = np.hstack([1 - Y, Y])
        else:
            raise ValueError(f"Unknown label type: {target!r}")
        self.estimators_: list[Any] = []
        for j in range(Y.shape[1]):
            self.estimators_.append(self._fit_one(X, Y[:, j], weights))
        return self

    def _fit_one(self, X: Any, yj: np.ndarray, weights: np.ndarray | None) -> Any:
        base = LogisticRegression(C=self.C, class_weight=self.class_weight, solver="liblinear",
                                  max_iter=1000, random_state=0)
        counts = np.bincount(yj, minlength=2)
        if counts.min() == 0:
            return _Constant(float(np.average(yj, weights=weights)))
        fit_args = {} if weights is None else {"sample_weight": weights}
        # cv is a number of folds (fewer when a label is rare) or, as in scikit-learn, the splits themselves
        folds: Any = int(min(self.cv, counts.min())) if isinstance(self.cv, int | np.integer) else list(self.cv)
        if isinstance(folds, int) and folds < 2:
            return base.fit(X, yj, **fit_args)
        return CalibratedClassifierCV(base, method="sigmoid", cv=folds, ensemble=False).fit(X, yj, **fit_args)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probability per label (multi-label) or per class (rows sum to 1)."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", reset=False, dtype=np.float64)
        P = np.column_stack([est.predict_proba(X)[:, 1] for est in self.estimators_])
        if not self.multilabel_:
            total = P.sum(axis=1, keepdims=True)
            P = np.divide(P, total, out=np.full_like(P, 1.0 / P.shape[1]), where=total > 0)
        return P

    def decision_thresholds(self) -> np.ndarray:
        """The threshold of each label (0.5 where none was set)."""
        n = len(self.estimators_)
        if self.thresholds is None:
            return np.full(n, 0.5)
        return np.asarray(self.thresholds, dtype=float).reshape(n)

    def predict(self, X: Any) -> np.ndarray:
        """Labels at or above their thresholds (multi-label), or the most probable class."""
        P = self.predict_proba(X)
        if self.multilabel_:
            return (self.decision_thresholds() <= P).astype(int)
        return np.asarray(self.classes_[np.argmax(P, axis=1)])

    def coefficients(self, j: int) -> np.ndarray:
        """The logistic-regression weights of label ``j`` (for evidence)."""
        est = self.estimators_[j]
        if isinstance(est, CalibratedClassifierCV):
            est = est.calibrated_classifiers_[0].estimator
        if isinstance(est, _Constant):
            return np.zeros(self.n_features_in_)
        return np.asarray(est.coef_).ravel()

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.input_tags.sparse = True
        return tags


class _Constant:
    """A label seen with one value only in training: predict its rate."""

    def __init__(self, p: float) -> None:
        self.p = p

    def predict_proba(self, X: Any) -> np.ndarray:
        n = X.shape[0]
        return np.column_stack([np.full(n, 1 - self.p), np.full(n, self.p)])


# Feature blocks: (name, column of toolkit.features.COLUMNS, hashed size). Hashing keeps the
# model free of vocabularies: a few numeric arrays that load in a blink and stay small.
BLOCKS = (("chars", 0, 2**18), ("terms", 1, 2**17), ("tags", 2, 2**12))


def _vectorizer(name: str, n_features: int, char_ngrams: tuple[int, int]) -> HashingVectorizer:
    common: dict[str, Any] = {"n_features": n_features, "alternate_sign": False, "norm": None,
                              "dtype": np.float64}
    if name == "chars":
        return HashingVectorizer(analyzer="char_wb", ngram_range=char_ngrams, **common)
    ngrams = (1, 2) if name == "terms" else (1, 1)
    return HashingVectorizer(token_pattern=r"\S+", lowercase=False, ngram_range=ngrams, **common)


def build(*, C: float = 4.0, char_ngrams: tuple[int, int] = (2, 4), cv: int = 5) -> Pipeline:
    """The full model: features of :data:`toolkit.features.COLUMNS` -> :class:`FactorClassifier`.

    Each column is hashed (:data:`BLOCKS`) and tf-idf weighted (sublinear tf, l2 norm).
    """
    features = ColumnTransformer([
        (name, Pipeline([("hash", _vectorizer(name, size, char_ngrams)),
                         ("tfidf", TfidfTransformer(sublinear_tf=True))]), column)
        for name, column, size in BLOCKS
    ])
    return Pipeline([("features", features), ("clf", FactorClassifier(C=C, cv=cv))])


def tune_thresholds(P: np.ndarray, Y: np.ndarray, grid: Sequence[float] | None = None) -> list[float]:
    """Per label, the threshold on ``P`` that maximizes F1 against ``Y`` (ties: closest to 0.5)."""
    grid = grid if grid is not None else [round(x, 2) for x in np.arange(0.1, 0.91, 0.05)]
    out = []
    for j in range(Y.shape[1]):
        best = (-1.0, 0.0, 0.5)
        for t in grid:
            pred = P[:, j] >= t
            tp = float(np.sum(pred & (Y[:, j] == 1)))
            denom = float(pred.sum() + Y[:, j].sum())
            f1 = 2 * tp / denom if denom else 0.0
            key = (round(f1, 6), -abs(t - 0.5), t)
            if key > best:
                best = key
        out.append(float(best[2]))
    return out


# --- safe persistence ------------------------------------------------------------------------------

TRUSTED_TYPES: tuple[str, ...] = (
    "toolkit.model.FactorClassifier",
    "toolkit.model._Constant",
    "sklearn.calibration.CalibratedClassifierCV",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.compose._column_transformer.ColumnTransformer",
    "sklearn.feature_extraction.text.HashingVectorizer",
    "sklearn.feature_extraction.text.TfidfTransformer",
    "sklearn.linear_model._logistic.LogisticRegression",
    "sklearn.pipeline.Pipeline",
    "sklearn.preprocessing._label.LabelBinarizer",
    "sklearn.utils._bunch.Bunch",
    "sklearn.compose._column_transformer._RemainderColsList",
    "builtins.slice",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "numpy.ndarray",
    "numpy.float32",
    "numpy.int32",
    "scipy.sparse._csr.csr_matrix",
    "builtins.frozenset",
)


def save(model: Pipeline, path: Path) -> None:
    """Write ``model`` in skops format (never pickle)."""
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    sio.dump(model, path, compression=zipfile.ZIP_DEFLATED, compresslevel=9)


def load(path: Path) -> Pipeline:
    """Load a skops model, refusing any type outside :data:`TRUSTED_TYPES`.

    Raises:
        ModelError: the file is missing, corrupted, or carries an untrusted type
            (nothing from the file is executed in that case).
    """
    import skops.io as sio

    if not path.is_file():
        raise ModelError(f"{path}: no such model file")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise ModelError(f"{path}: not a readable skops model ({type(exc).__name__})") from None
    bad = sorted(set(untrusted) - set(TRUSTED_TYPES))
    if bad:
        raise ModelError(f"{path}: refused, untrusted types in model: {', '.join(bad[:5])}")
    try:
        model = sio.load(path, trusted=sorted(set(untrusted)))
    except Exception as exc:
        raise ModelError(f"{path}: corrupted model ({type(exc).__name__}: {exc})") from None
    if not isinstance(model, Pipeline) or not isinstance(model[-1], FactorClassifier):
        raise ModelError(f"{path}: not an nktk factor model")
    return model
