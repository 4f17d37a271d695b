"""The factor classifier: estimator contract, determinism, thresholds, evidence, safe loading, scoring."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks
from typer.testing import CliRunner

import toolkit
from toolkit.cli import app
from toolkit.errors import ModelError
from toolkit.evaluate import Counts, entity_counts, factor_counts, score, summarize
from toolkit.factors import load_model
from toolkit.model import FactorClassifier, load, save, tune_thresholds
from toolkit.train import read_corpus, train

TINY = [
    ("en", "After the rations stopped, wages bought nothing and mothers sold noodles at the market.", ["economic"]),
    ("en", "Prices of rice and corn rose while factory salaries went unpaid for months.", ["economic"]),
    ("en", "A broker and her cousin in Seoul arranged the crossing and paid the fee.", ["network", "economic"]),
    ("en", "Her aunt in China called on a smuggled phone and a broker met her at the river.", ["network"]),
    ("en", "Men served ten years in the army and the Party assigned every graduate a workplace.", ["structural"]),
    ("en", "Border guards were ordered to shoot, and returnees were punished by state security.", ["structural"]),
    ("en", "Farmers in rural China paid brokers for North Korean brides because of the sex ratio.", ["pull"]),
    ("en", "Women were sold into forced marriages and webcam chat rooms across the border.", ["pull"]),
    ("en", "The national football team won the regional cup final on Sunday.", []),
    ("en", "The missile flew 600 kilometres before falling into the sea.", []),
    ("ko", "배급이 끊긴 뒤 어머니는 장마당에서 국수를 팔아 식구를 먹여 살렸다.", ["economic"]),
    ("ko", "월급으로는 쌀 1킬로그램도 살 수 없어 밀수로 생계를 이었다.", ["economic"]),
    ("ko", "먼저 한국에 정착한 언니가 브로커 비용을 보내 주었다.", ["network", "economic"]),
    ("ko", "중국에 사는 이모가 손전화로 연락해 브로커를 소개해 주었다.", ["network"]),
    ("ko", "남자들은 17살에 입대해 10년 가까이 군에 묶여 있었고 당이 직장을 배치했다.", ["structural"]),
    ("ko", "국경경비대는 사살 명령을 받았고 북송된 사람들은 보위부 조사를 받았다.", ["structural"]),
    ("ko", "중국 농촌에는 신부를 구하지 못한 남성이 많아 북한 여성을 사려는 수요가 있었다.", ["pull"]),
    ("ko", "여성들은 강제결혼과 화상채팅 업소로 팔려 갔다.", ["pull"]),
    ("ko", "북한 여자축구 대표팀이 아시안컵 결승에 올랐다.", []),
    ("ko", "북한은 동해상으로 단거리 탄도미사일 두 발을 발사했다.", []),
]


def _write_corpus(folder: Path, copies: int = 3) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for split, reps in (("train", copies), ("dev", 1), ("test", 1)):
        with (folder / f"{split}.jsonl").open("w", encoding="utf-8") as fh:
            for r in range(reps):
                for i, (lang, text, labels) in enumerate(TINY):
                    rec = {"id": f"{split}-{r}-{i}", "lang": lang, "doc": f"{split}-{r}-{i // 4}",
                           "text": text, "labels": labels, "entities": []}
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return folder


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, object]]:
    root = tmp_path_factory.mktemp("tiny")
    card = train(_write_corpus(root / "corpus"), root / "model", folds=2)
    return root, card


def _expected_failures(estimator: FactorClassifier) -> dict[str, str]:
    # liblinear stops at its tolerance (1e-4): weighted rows and repeated rows agree to about 3e-5, and
    # the check asks for 1e-7. tests/test_review_training.py checks the equivalence at the solver's tolerance.
    why = "liblinear's tolerance: weights and repeated rows agree to ~3e-5, not 1e-7"
    return {"check_sample_weight_equivalence_on_dense_data": why, "check_sample_weight_equivalence_on_sparse_data": why}


@parametrize_with_checks([FactorClassifier(cv=2), FactorClassifier(cv=3, C=0.5, thresholds=None)],
                         expected_failed_checks=_expected_failures)
def test_sklearn_estimator_checks(estimator: FactorClassifier, check: object) -> None:
    check(estimator)  # type: ignore[operator]


def test_tiny_corpus_trains_and_predicts_both_languages(tiny_model: tuple[Path, dict[str, object]]) -> None:
    root, card = tiny_model
    assert set(card["labels"]) == {"structural", "economic", "pull", "network"}  # type: ignore[call-overload]
    text = "배급이 끊긴 뒤 장마당에서 국수를 팔았다.\n\nA broker and a cousin arranged the crossing."
    passages = toolkit.classify(text, model=root / "model")
    assert [p.lang for p in passages] == ["ko", "en"]
    assert "economic" in passages[0].labels
    assert "network" in passages[1].labels
    for p in passages:
        assert set(p.scores) == {"structural", "economic", "pull", "network"}
        assert all(0.0 <= s <= 1.0 for s in p.scores.values())


def test_training_is_deterministic(tmp_path: Path, tiny_model: tuple[Path, dict[str, object]]) -> None:
    root, card = tiny_model
    again = train(root / "corpus", tmp_path / "again", folds=2)
    assert again["scores"] == card["scores"]
    assert again["thresholds"] == card["thresholds"]
    assert again["corpus"] == card["corpus"]
    first, second = load(root / "model" / "factors.skops"), load(tmp_path / "again" / "factors.skops")
    X = np.array([[t, "", ""] for _, t, _ in TINY], dtype=object)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))


def test_thresholds_and_evidence(tiny_model: tuple[Path, dict[str, object]]) -> None:
    root, _ = tiny_model
    text = "Intro line.\n\nA broker and her cousin in Seoul arranged the crossing and paid the fee."
    analyzer = toolkit.load(model=root / "model")
    result = analyzer.analyze(text)
    passage = result.passages[1]
    thresholds = dict(zip(load_model(root / "model").labels, load_model(root / "model").thresholds, strict=True))
    assert set(passage.labels) == {f for f, s in passage.scores.items() if s >= thresholds[f]}
    assert passage.labels
    for label in passage.labels:
        assert passage.evidence[label]
        for ev in passage.evidence[label]:
            assert passage.start <= ev.start < ev.end <= passage.end
            assert text[ev.start : ev.end] == ev.text
    assert {"broker", "cousin"} & {e.text for e in passage.evidence.get("network", ())}


def test_tune_thresholds_maximizes_f1() -> None:
    P = np.array([[0.9, 0.2], [0.6, 0.8], [0.3, 0.7], [0.1, 0.1]])
    Y = np.array([[1, 0], [1, 1], [0, 1], [0, 0]])
    t = tune_thresholds(P, Y)
    assert 0.3 < t[0] <= 0.6 and 0.2 < t[1] <= 0.7


def test_untrusted_model_is_refused(tmp_path: Path) -> None:
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer

    evil = Pipeline([("f", FunctionTransformer(func=print)), ("clf", FactorClassifier())])
    path = tmp_path / "factors.skops"
    save(evil, path)
    with pytest.raises(ModelError, match="untrusted types"):
        load(path)
    result = CliRunner().invoke(app, ["classify", "-", "--model", str(path)], input="text")
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "refused, untrusted types" in result.stderr


def test_corrupted_model_is_refused(tmp_path: Path, tiny_model: tuple[Path, dict[str, object]]) -> None:
    root, _ = tiny_model
    data = (root / "model" / "factors.skops").read_bytes()
    bad = tmp_path / "factors.skops"
    bad.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelError):
        load(bad)
    tampered = tmp_path / "tampered.skops"
    with zipfile.ZipFile(root / "model" / "factors.skops") as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            content = src.read(item.filename)
            if item.filename == "schema.json":
                content = content.replace(b"toolkit.model", b"os.system.x")
            dst.writestr(item, content)
    with pytest.raises(ModelError):
        load(tampered)


def test_bundled_model_card() -> None:
    card = load_model().card
    assert card["labels"] == ["structural", "economic", "pull", "network"]
    assert len(card["corpus"]["sha256"]) == 64
    for split in ("cross_validation", "test", "realdev"):
        for lang in ("en", "ko"):
            lo, hi = card["scores"][split][lang]["macro_f1_ci95"]
            assert lo <= card["scores"][split][lang]["macro"]["f1"] <= hi
    # the real dev set it was checked on is the one indexed in corpora/realdev, all of it
    index = (Path(__file__).resolve().parent.parent / "corpora" / "realdev" / "index.jsonl").read_text(encoding="utf-8")
    assert card["realdev"]["records"] == len(index.splitlines())
    assert set(card["cross_validation"]["per_C"]) == {str(c) for c in card["params"]["C_grid"]}


# --- evaluate's arithmetic on hand-made pairs ----------------------------------------------------------


def test_factor_arithmetic() -> None:
    gold = [["economic"], ["economic", "network"], [], ["pull"]]
    pred = [["economic"], ["network"], ["economic"], []]
    per: dict[str, Counts] = {f: Counts() for f in ("structural", "economic", "pull", "network")}
    for g, p in zip(gold, pred, strict=True):
        for f, c in factor_counts(g, p).items():
            per[f].add(c)
    s = summarize(per, ("structural", "economic", "pull", "network"))
    # economic: tp 1, fp 1, fn 1 -> P = R = F1 = 0.5; network: tp 1 -> 1.0; pull: fn 1 -> 0
    assert s["economic"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert s["network"]["f1"] == 1.0 and s["pull"]["f1"] == 0.0
    assert s["micro"] == {"precision": 0.6667, "recall": 0.5, "f1": 0.5714, "support": 4}
    assert s["macro"]["f1"] == round((0.5 + 0.0 + 1.0) / 3, 4)  # structural has no support: left out


def test_entity_arithmetic_strict_and_overlap() -> None:
    gold = [{"start": 0, "end": 4, "label": "PROVINCE"}, {"start": 10, "end": 20, "label": "ORG"}]
    pred = [toolkit.Entity(0, 4, "함경북도", "PROVINCE", "North Hamgyong", "KP-09"),
            toolkit.Entity(10, 15, "x", "ORG", "x", None), toolkit.Entity(30, 33, "y", "LOC", "y", None)]
    strict = entity_counts(gold, pred, overlap=False)
    loose = entity_counts(gold, pred, overlap=True)
    assert (strict["PROVINCE"].tp, strict["ORG"].tp, strict["ORG"].fp, strict["ORG"].fn) == (1, 0, 1, 1)
    assert (loose["ORG"].tp, loose["ORG"].fp, loose["ORG"].fn, loose["LOC"].fp) == (1, 0, 0, 1)


def test_evaluate_command_on_gold_file(tmp_path: Path, runner: CliRunner) -> None:
    gold = tmp_path / "gold.jsonl"
    rec = {"id": "g1", "lang": "ko", "text": "함경북도에서 온 여성들은 장마당에서 장사를 했다.", "labels": ["economic"],
           "entities": [{"start": 0, "end": 4, "label": "PROVINCE", "canonical": "North Hamgyong"}]}
    gold.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ko"]["entities"]["strict"]["PROVINCE"]["f1"] == 1.0
    assert report["all"]["entities"]["canonical_agreement"] == 1.0
    assert report["all"]["factors"]["records"] == 1
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    result = runner.invoke(app, ["evaluate", str(bad)])
    assert result.exit_code == 1 and f"{bad}:1: not a gold record" in result.stderr


def test_score_skips_unannotated_keys() -> None:
    from toolkit.evaluate import GoldRecord

    recs = [GoldRecord("a", "en", "x", None, None)]
    assert score(recs, lambda r: [], lambda r: []) == {"all": {}, "en": {}}


def test_read_corpus_single_file_split(tmp_path: Path) -> None:
    folder = _write_corpus(tmp_path / "c", copies=1)
    splits = read_corpus(folder / "train.jsonl")
    assert sum(len(v) for v in splits.values()) == len(TINY)
    assert splits["train"]


@pytest.mark.parametrize("feature", ["장마당", "broker", "broker fee", "LEX:network", " 장마", "women's", "x"])
def test_evidence_hashing_matches_the_model(feature: str) -> None:
    """Evidence maps features to columns itself; it must agree with scikit-learn's hasher."""
    from sklearn.feature_extraction.text import HashingVectorizer

    from toolkit.factors import hash_index

    hasher = HashingVectorizer(n_features=2**18, alternate_sign=False)._get_hasher()
    assert hasher.transform([[feature]]).indices.tolist() == [hash_index(feature, 2**18)]


def test_fast_transform_equals_the_column_transformer() -> None:
    """FactorModel.transform skips the column transformer's overhead; it must give the same matrix."""
    from toolkit.evaluate import GoldRecord
    from toolkit.features import matrix
    from toolkit.train import featurize

    model = load_model()
    feats = featurize([GoldRecord(str(i), lang, text, labels, None) for i, (lang, text, labels) in enumerate(TINY)])
    fast = model.transform(feats)
    slow = model.pipeline[0].transform(matrix(feats))
    assert (fast != slow).nnz == 0
    np.testing.assert_allclose(model.scores(fast), model.pipeline.predict_proba(matrix(feats)))


def test_crossfit_thresholds_never_see_their_own_fold() -> None:
    """A fold's labels come from thresholds tuned on the other folds: its own gold labels cannot move them."""
    from toolkit.train import crossfit_predict

    rng = np.random.default_rng(0)
    P = rng.random((60, 4))
    Y = (P + rng.normal(0, 0.2, P.shape) > 0.5).astype(int)
    groups = [f"doc{i // 3}" for i in range(60)]
    pred = crossfit_predict(P, Y, groups, folds=4)
    from sklearn.model_selection import GroupKFold

    _, first = next(iter(GroupKFold(n_splits=4).split(P, groups=groups)))
    flipped = Y.copy()
    flipped[first] = 1 - flipped[first]
    again = crossfit_predict(P, flipped, groups, folds=4)
    np.testing.assert_array_equal(pred[first], again[first])
    assert not np.array_equal(pred, again)  # the other folds' thresholds did move


def test_bootstrap_interval_of_macro_f1() -> None:
    from toolkit.evaluate import bootstrap_macro_f1

    perfect = [factor_counts(["economic"], ["economic"]), factor_counts(["pull", "network"], ["pull", "network"])]
    assert bootstrap_macro_f1(perfect * 10) == (1.0, 1.0)
    rng = np.random.default_rng(1)
    mixed = [factor_counts([f for f in ("structural", "economic", "pull", "network") if rng.random() < 0.4],
                           [f for f in ("structural", "economic", "pull", "network") if rng.random() < 0.4])
             for _ in range(400)]
    point = summarize({f: _total(mixed, f) for f in ("structural", "economic", "pull", "network")},
                      ("structural", "economic", "pull", "network"))["macro"]["f1"]
    lo, hi = bootstrap_macro_f1(mixed)
    assert lo < point < hi and hi - lo < 0.15
    assert bootstrap_macro_f1(mixed) == (lo, hi)  # seeded: the same interval every run
    small_lo, small_hi = bootstrap_macro_f1(mixed[:40])
    assert small_hi - small_lo > hi - lo


def _total(per_passage: list[dict[str, Counts]], factor: str) -> Counts:
    total = Counts()
    for counts in per_passage:
        total.add(counts[factor])
    return total


def test_train_refuses_a_real_dev_file_without_labels(tmp_path: Path) -> None:
    from toolkit.errors import InputError

    realdev = tmp_path / "realdev.jsonl"
    realdev.write_text(json.dumps({"id": "r1", "lang": "en", "text": "A broker helped."}) + "\n", encoding="utf-8")
    with pytest.raises(InputError, match="'r1' has no 'labels'"):
        train(_write_corpus(tmp_path / "corpus"), tmp_path / "model", folds=2, realdev=realdev)
    assert not (tmp_path / "model").exists()


def test_real_dev_is_scored_but_never_changes_the_model(tmp_path: Path,
                                                         tiny_model: tuple[Path, dict[str, object]]) -> None:
    root, card = tiny_model
    realdev = tmp_path / "realdev.jsonl"
    realdev.write_text("".join(json.dumps({"id": f"r{i}", "lang": lang, "text": text, "labels": labels},
                                          ensure_ascii=False) + "\n" for i, (lang, text, labels) in enumerate(TINY)),
                       encoding="utf-8")
    checked = train(root / "corpus", tmp_path / "checked", folds=2, realdev=realdev)
    assert checked["thresholds"] == card["thresholds"] and checked["params"] == card["params"]
    assert {"en", "ko"} <= set(checked["scores"]["realdev"])  # type: ignore[index]
    first, second = load(root / "model" / "factors.skops"), load(tmp_path / "checked" / "factors.skops")
    X = np.array([[t, "", ""] for _, t, _ in TINY], dtype=object)
    np.testing.assert_array_equal(first.predict_proba(X), second.predict_proba(X))
