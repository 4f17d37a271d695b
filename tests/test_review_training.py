"""From the review file to a model: reading it as gold, weighted training, agreement, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from _review import small_corpus
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.evaluate import read_gold
from toolkit.model import FactorClassifier
from toolkit.review.log import ReviewLog

ROOT = Path(__file__).resolve().parent.parent
FACTORS = ("structural", "economic", "pull", "network")


def _dev(n: int) -> list[dict[str, Any]]:
    """The first ``n`` records of the corpus's dev split, English and Korean alternating."""
    rows = [json.loads(x) for x in (ROOT / "corpora/factors/dev.jsonl").read_text(encoding="utf-8").splitlines()]
    en, ko = [r for r in rows if r["lang"] == "en"], [r for r in rows if r["lang"] == "ko"]
    return [(en if i % 2 else ko)[i // 2] for i in range(n)]


def _review_file(path: Path, n: int = 20) -> list[dict[str, Any]]:
    """A review file as ``nktk review`` writes it: ``n`` saves of corpus passages, the model's answer in
    ``meta.model`` differing on pull for every fifth, one save retracted and made again, one retracted."""
    saved = []
    with ReviewLog(path) as log:
        for i, row in enumerate(_dev(n + 1)):
            labels = sorted(row["labels"])
            model = sorted(set(labels) ^ {"pull"}) if i % 5 == 0 else labels
            rec = {"id": f"doc-{i}:1", "lang": row["lang"], "source": "test", "doc": f"doc-{i}", "text": row["text"],
                   "labels": labels, "entities": row["entities"],
                   "meta": {"passage": 1, "model": {"path": "bundled", "labels": model, "scores": {},
                                                    "entities": row["entities"][:1]},
                            "reviewed_at": "2026-12-03T12:00:00Z"}}
            log.save(rec)
            if i == 3:  # a wrong save, undone and made again
                log.retract_last()
                log.save(rec)
            saved.append(rec)
        log.retract_last()  # the last one is undone for good
    return saved[:n]


def test_a_review_file_reads_as_gold_with_retractions_applied(tmp_path: Path) -> None:
    saved = _review_file(tmp_path / "my.jsonl")
    gold = read_gold(tmp_path / "my.jsonl")
    assert [g.id for g in gold] == [r["id"] for r in saved]
    assert gold[0].meta["doc"] == "doc-0" and gold[0].meta["meta"]["model"]["path"] == "bundled"


def test_sample_weights_reach_the_estimator() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6))
    Y = np.column_stack([(X[:, 0] > 0), (X[:, 1] + X[:, 2] > 0)]).astype(int)
    keep = np.arange(120) < 90
    weights = keep.astype(float)
    dropped = FactorClassifier(cv=3).fit(X[keep], Y[keep]).predict_proba(X)
    zeroed = FactorClassifier(cv=3).fit(X, Y, sample_weight=weights).predict_proba(X)
    plain = FactorClassifier(cv=3).fit(X, Y).predict_proba(X)
    # zero weight is leaving a row out (up to the calibration folds, which cut the rows differently)
    assert np.abs(zeroed - dropped).max() < 0.15 and np.abs(zeroed - plain).max() > 1e-3
    unit = FactorClassifier(cv=3).fit(X, Y, sample_weight=np.ones(120)).predict_proba(X)
    assert np.allclose(unit, plain)


def test_a_weight_of_k_is_the_row_repeated_k_times_at_the_solver_tolerance() -> None:
    from sklearn.model_selection import GroupKFold

    rng = np.random.default_rng(1)
    X = rng.normal(size=(60, 5))
    Y = np.column_stack([(X[:, 0] > 0), (X[:, 1] > 0.3)]).astype(int)
    weights = rng.integers(1, 4, size=60)
    rows = np.repeat(np.arange(60), weights)
    # the same calibration folds for both: each original row and its copies on the same side
    folds = list(GroupKFold(n_splits=3).split(X, groups=np.arange(60)))
    repeated_folds = [(np.flatnonzero(np.isin(rows, tr)), np.flatnonzero(np.isin(rows, te))) for tr, te in folds]
    weighted = FactorClassifier(cv=folds, class_weight=None).fit(X, Y, sample_weight=weights)
    repeated = FactorClassifier(cv=repeated_folds, class_weight=None).fit(X[rows], Y[rows])
    assert np.abs(weighted.predict_proba(X) - repeated.predict_proba(X)).max() < 1e-3


@pytest.mark.slow
def test_train_on_a_corpus_plus_a_review_file_names_both_and_evaluate_warns_it_saw_them(tmp_path: Path) -> None:
    runner = CliRunner()
    review, base, model = tmp_path / "my.jsonl", tmp_path / "base", tmp_path / "model"
    _review_file(review)
    small_corpus(base)
    result = runner.invoke(app, ["train", "--corpus", str(base), "--corpus", str(review), "--fast",
                                 "--review-weight", "2.5", "--out", str(model)])
    assert result.exit_code == 0, result.output
    assert f"+ {review} (20 reviewed, weight 2.5)" in result.output
    card = json.loads((model / "factors.card.json").read_text(encoding="utf-8"))
    [source] = card["reviewed"]
    assert (source["records"], source["retractions"], source["weight"]) == (20, 2, 2.5)
    assert source["per_language"] == {"en": 10, "ko": 10} and len(source["ids"]) == 20
    assert card["corpus"]["path"] == "base" and "reviewed" not in card["corpus"]["records"]
    assert card["params"]["fast"] is True and card["params"]["review_weight"] == 2.5
    assert "reviewed_cross_validation" in card["scores"] and card["cross_validation"]["folds"] == 2

    tagged = runner.invoke(app, ["tag", "-", "--model", str(model)],
                           input="배급이 끊긴 뒤 어머니는 장마당에서 국수를 팔아 식구를 먹여 살렸다.")
    assert tagged.exit_code == 0 and "economic" in json.loads(tagged.stdout)["passages"][0]["labels"]

    rerun = runner.invoke(app, ["evaluate", str(review), "--model", str(model), "--json"])
    assert rerun.exit_code == 0
    assert "was trained on 20 of these 20 reviewed passages" in rerun.stderr
    assert json.loads(rerun.stdout)["compared"] == f"model {model}"


def test_evaluate_a_review_file_gives_the_agreement_at_review_time(tmp_path: Path) -> None:
    saved = _review_file(tmp_path / "my.jsonl")
    result = CliRunner().invoke(app, ["evaluate", str(tmp_path / "my.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["compared"] == "model at review time" and report["passages"] == 20
    pull = report["agreement"]["pull"]
    assert pull["agreement"] == pytest.approx(16 / 20)  # every fifth of 20 differs on pull
    mine = sum("pull" in r["labels"] for r in saved)
    model = sum("pull" in r["meta"]["model"]["labels"] for r in saved)
    assert (pull["reviewer_yes"], pull["model_yes"]) == (mine, model)
    p_m, p_r = model / 20, mine / 20
    chance = p_m * p_r + (1 - p_m) * (1 - p_r)
    assert pull["kappa"] == pytest.approx((0.8 - chance) / (1 - chance), abs=1e-4)
    assert report["agreement"]["economic"]["agreement"] == 1.0
    ents = report["scores"]["all"]["entities"]["strict"]
    gold_n = sum(len(r["entities"]) for r in saved)
    assert sum(ents[lab]["support"] for lab in ("PROVINCE", "ORG", "LOC")) == gold_n
    text = CliRunner().invoke(app, ["evaluate", str(tmp_path / "my.jsonl")])
    assert text.stdout.startswith("model at review time vs reviewer: 20 passages")


@pytest.mark.parametrize("case", ["weight", "unlabelled", "two-bases", "missing"])
def test_bad_training_inputs_are_one_line(tmp_path: Path, case: str) -> None:
    review = tmp_path / "my.jsonl"
    _review_file(review, n=3)
    args = ["train", "--corpus", str(review), "--fast", "--out", str(tmp_path / "m")]
    expected = {"weight": "--review-weight must be above 0", "unlabelled": "has no 'labels'",
                "two-bases": "give one corpus, not 2", "missing": "no such file or directory"}[case]
    if case == "weight":
        args += ["--review-weight", "0"]
    elif case == "unlabelled":
        with ReviewLog(review) as log:
            log.save({"id": "x:0", "lang": "en", "text": "Some text.", "entities": [],
                      "meta": {"reviewed_at": "2026-12-03T12:00:00Z"}})
    elif case == "two-bases":
        args += ["--corpus", str(ROOT / "corpora/factors"), "--corpus", str(ROOT / "corpora/factors/dev.jsonl")]
    else:
        args += ["--corpus", str(tmp_path / "nowhere.jsonl")]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and expected in result.output
    assert "Traceback" not in result.output and result.output.count("\n") <= 2
