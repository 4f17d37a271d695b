"""The fast classification paths give exactly what the slow ones gave.

``FactorModel.transform`` hashes n-grams in array operations instead of
scikit-learn's per-n-gram loop, ``scores`` skips scikit-learn's input checks,
``evidence`` reuses the transform's hashes, ``cue_spans`` skips cues that
cannot match and ``from_doc`` filters tokens in an array: on every passage of
the factor corpus each must agree with the reference to the last bit.
"""

from __future__ import annotations

import copy
import json
import random
import re
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.sparse import csr_matrix
from sklearn.utils import murmurhash3_32
from spacy.parts_of_speech import NAMES as POS_NAMES
from spacy.tokens import Doc

from toolkit import gazetteer
from toolkit.evaluate import GoldRecord
from toolkit.factors import FactorModel, load_model, murmurhash3
from toolkit.features import PassageFeatures, cue_spans, from_doc, lexicon, matrix
from toolkit.model import _Constant
from toolkit.results import Evidence
from toolkit.train import _parse_gold

ROOT = Path(__file__).resolve().parent.parent


# --- the reference implementations (the code these paths replaced) ----------------------------------


def reference_cue_spans(text: str, lang: str) -> list[tuple[str, int, int]]:
    """Every cue of the lexicon, one regex after another."""
    out = []
    low = text.lower()
    for factor, cue, key, pattern in lexicon()[lang]:
        if key not in low:
            continue
        for m in pattern.finditer(text):
            out.append((f"LEX:{factor}", m.start(), m.end()))
            out.append((f"CUE:{cue.replace(' ', '_')}", m.start(), m.end()))
    return out


def reference_term_spans(doc: Doc, lang: str, text: str) -> list[tuple[str, int, int]]:
    """The terms of a passage, one token after another."""
    content = ({"NOUN", "PROPN", "VERB", "ADJ", "ADV", "X", "NUM"} if lang == "en"
               else {"NOUN", "PROPN", "VERB", "ADJ", "X", "NUM"})
    spans = []
    for t in doc:
        if t.is_space or t.is_punct or (POS_NAMES.get(t.pos) or "X") not in content:
            continue
        surface = text[t.idx : t.idx + len(t)]
        if lang == "en" and (t.is_stop or not (t.is_alpha or any(c.isalpha() for c in surface))):
            continue
        lemma = (t.lemma_ if t.lemma else surface).lower()
        if lang == "en" and len(lemma) < 2:
            continue
        spans.append((lemma.replace(" ", "_"), t.idx, t.idx + len(t)))
    return spans


def _column(feature: str, n_features: int) -> int:
    h = murmurhash3_32(feature, seed=0)
    return int((2147483647 - (n_features - 1)) % n_features) if h == -2147483648 else abs(h) % n_features


def reference_behind(model: FactorModel, feats: PassageFeatures) -> dict[int, list[tuple[int, int]]]:
    """Column -> the spans of the word features hashed there, each feature hashed on its own."""
    behind: dict[int, list[tuple[int, int]]] = {}
    start = 0
    for name, block, _ in model.pipeline[0].transformers_:
        if block == "drop":
            continue
        size = int(block[0].n_features)
        if name != "chars":
            found: dict[str, list[tuple[int, int]]] = {}
            if name == "terms":
                for t, s, e in feats.term_spans:
                    found.setdefault(t, []).append((s, e))
                for (t1, s1, _), (t2, _, e2) in pairwise(feats.term_spans):
                    found.setdefault(f"{t1} {t2}", []).append((s1, e2))
            else:
                for t, s, e in feats.tag_spans:
                    if t.startswith(("LEX:", "CUE:")):
                        found.setdefault(t, []).append((s, e))
            for feature, spans in found.items():
                behind.setdefault(start + _column(feature, size), []).extend(spans)
        start += size
    return behind


def reference_evidence(model: FactorModel, feats: PassageFeatures, row: Any, label_indices: list[int], *,
                       offset: int = 0, top: int = 3) -> dict[int, tuple[Evidence, ...]]:
    """Evidence as it was computed: credit summed in a dictionary, column after column."""
    if not label_indices or row.nnz == 0:
        return {j: () for j in label_indices}
    values = dict(zip(row.indices.tolist(), row.data.tolist(), strict=True))
    behind = reference_behind(model, feats)
    out = {}
    for j in label_indices:
        coef = model.pipeline[-1].coefficients(j)
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
        out[j] = tuple(Evidence(feats.text[s:e], s + offset, e + offset) for s, e in sorted(chosen))
    return out


# --- the corpus ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, Doc, str, PassageFeatures]]:
    """Every passage of the factor corpus (train, dev, test): language, parsed doc, text, features."""
    gaz = gazetteer.load()
    out = []
    for split in ("train", "dev", "test"):
        for line in (ROOT / "corpora" / "factors" / f"{split}.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            lang, doc = _parse_gold(GoldRecord(rec["id"], rec["lang"], rec["text"], rec["labels"], None), None)
            feats = from_doc(doc, lang, doc._.nktk_entities or [], gaz, text=rec["text"])
            out.append((lang, doc, rec["text"], feats))
    return out


def _batches(items: list[Any], size: int = 32) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _fresh(f: PassageFeatures) -> PassageFeatures:
    """The same passage, without what a model's transform left on it."""
    return PassageFeatures(f.text, f.terms, f.tags, f.term_spans, f.tag_spans)


def _same(a: Any, b: Any) -> bool:
    """Two sparse matrices with the same shape, row pointers, column indices and values, bit for bit."""
    a, b = csr_matrix(a), csr_matrix(b)
    return (a.shape == b.shape and np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
            and np.array_equal(a.data, b.data))


def test_corpus_has_both_languages(corpus: list[tuple[str, Doc, str, PassageFeatures]]) -> None:
    langs = [lang for lang, *_ in corpus]
    assert len(corpus) > 5000 and langs.count("en") > 1500 and langs.count("ko") > 1500


def test_transform_and_scores_equal_scikit_learn(corpus: list[tuple[str, Doc, str, PassageFeatures]]) -> None:
    model = load_model()
    for batch in _batches([f for *_, f in corpus]):
        X = model.transform(batch)
        expected = model.pipeline[0].transform(matrix(batch))
        assert _same(X, expected)
        assert np.array_equal(model.scores(X), model.pipeline[-1].predict_proba(expected))


def test_evidence_equals_the_reference(corpus: list[tuple[str, Doc, str, PassageFeatures]]) -> None:
    model = load_model()
    labels = list(range(len(model.labels)))
    for batch in _batches([f for *_, f in corpus]):
        X = model.transform(batch)
        for i, feats in enumerate(batch):
            assert model.evidence(feats, X[i], labels) == reference_evidence(model, feats, X[i], labels)
            assert (model.evidence(feats, X[i], labels[1:3], offset=17, top=1)
                    == reference_evidence(model, feats, X[i], labels[1:3], offset=17, top=1))


def test_evidence_sums_in_the_reference_order(corpus: list[tuple[str, Doc, str, PassageFeatures]]) -> None:
    """Each span's credit is summed over the columns in the reference's order, so sums agree to the bit.

    (Order matters only where one span gets three or more contributions, and
    then only in the last bit: too rare for the evidence test alone to catch.)
    """
    model = load_model()
    feats = [f for *_, f in corpus] + [_fresh(f) for f in ODD]
    for batch in _batches(feats):
        model.transform(batch)
        for f in batch:
            cols, span_of, starts, ends = f.model_cache[model._layout]
            behind = reference_behind(model, f)
            order = cols.tolist()
            assert list(dict.fromkeys(order)) == list(behind)  # columns in the reference's order ...
            assert sum(a != b for a, b in pairwise(order)) == max(len(behind) - 1, 0)  # ... each in one run
            got: dict[int, list[tuple[int, int]]] = {}
            for c, k in zip(order, span_of.tolist(), strict=True):
                got.setdefault(c, []).append((int(starts[k]), int(ends[k])))
            assert {c: sorted(v) for c, v in got.items()} == {c: sorted(v) for c, v in behind.items()}


def test_cue_spans_equal_the_per_regex_loop(corpus: list[tuple[str, Doc, str, PassageFeatures]]) -> None:
    tricky = ["ſmuggler and smuggler", "İstanbul BROKER broker", "Workers’ Party, workers' party", "Café brokers",
              "The SMUGGLER'S smugglers smuggl", "no-one said no", "guilt-by-association, guilt by  association",
              "anti-smuggling (brokers) \"repatriation\"", "KELVIN Kkorea", "장마당에서 broker 브로커 비용", ""]
    for text in tricky + [text for _, _, text, _ in corpus]:
        for lang in ("en", "ko"):
            assert cue_spans(text, lang) == reference_cue_spans(text, lang), (lang, text[:60])


def test_terms_equal_the_per_token_loop(corpus: list[tuple[str, Doc, str, PassageFeatures]]) -> None:
    for lang, doc, text, feats in corpus:
        assert list(feats.term_spans) == reference_term_spans(doc, lang, text)


# --- odd inputs ------------------------------------------------------------------------------------------


def test_murmurhash3_equals_scikit_learn() -> None:
    rng = random.Random(0)
    strings = [bytes(rng.randrange(256) for _ in range(rng.randrange(0, 200))) for _ in range(3000)]
    strings += [b"", b"a", b"ab", b"abc", b"abcd", "한국".encode(), b"x" * 4096]
    buf = b"".join(strings)
    ends = np.cumsum([len(s) for s in strings])
    starts = ends - [len(s) for s in strings]
    assert murmurhash3(buf, starts, ends).tolist() == [murmurhash3_32(s, seed=0) for s in strings]


def test_str_split_finds_the_non_space_runs() -> None:
    """The transform splits terms and tags with ``str.split``: the same tokens as the model's ``\\S+`` pattern."""
    every = "x".join(chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000)
    assert every.split() == re.findall(r"\S+", every)


ODD = [
    PassageFeatures("", "", "", (), ()),
    PassageFeatures("Tabs\tand\nnew\u00a0lines\u3000and  spaces İstanbul ß ǅ 😀😀 e\u0301", "tab new",
                    "LEX:pull CUE:tab", (("tab", 0, 4), ("new", 9, 12)), (("LEX:pull", 0, 4), ("CUE:tab", 0, 4))),
    PassageFeatures("x" * 300 + " 가" * 50, "x" * 300 + " 가", "L:PER",
                    (("x" * 300, 0, 300), ("가", 301, 302)), (("L:PER", 0, 300),)),
    # terms that the model's tokenizer splits differently from the spans evidence reads
    PassageFeatures("a b c d", "a\u00a0b  c", "LEX:x\tCUE:y",
                    (("a\u00a0b", 0, 3), ("", 3, 3), ("c", 4, 5)), (("LEX:x\tCUE:y", 0, 5),)),
    PassageFeatures("broker fee broker", "broker fee broker", "LEX:network CUE:broker* LEX:network CUE:broker*",
                    (("broker", 0, 6), ("fee", 7, 10), ("broker", 11, 17)),
                    (("LEX:network", 0, 6), ("CUE:broker*", 0, 6), ("LEX:network", 11, 17), ("CUE:broker*", 11, 17))),
]


def test_odd_passages_transform_and_evidence() -> None:
    model = load_model()
    feats = [_fresh(f) for f in ODD]
    X = model.transform(feats)
    assert _same(X, model.pipeline[0].transform(matrix(feats)))
    labels = list(range(len(model.labels)))
    for i, f in enumerate(feats):
        for top in (0, 1, 3):
            assert model.evidence(f, X[i], labels, top=top) == reference_evidence(model, f, X[i], labels, top=top)
    assert model.transform([]).shape == (0, X.shape[1])


def test_evidence_of_a_passage_the_transform_did_not_see(corpus: list[tuple[str, Doc, str, PassageFeatures]]) -> None:
    model = load_model()
    seen = [f for *_, f in corpus[:40]]
    X = model.transform(seen)
    for i, f in enumerate(seen):
        assert model.evidence(_fresh(f), X[i], [0, 1, 2, 3]) == reference_evidence(model, f, X[i], [0, 1, 2, 3])


def test_models_the_fast_paths_do_not_cover_go_through_scikit_learn(
        corpus: list[tuple[str, Doc, str, PassageFeatures]]) -> None:
    base = load_model()
    pipeline = copy.deepcopy(base.pipeline)
    pipeline[0].transformers_[0][1][-1].norm = "l1"  # a tf-idf the fast transform does not do
    pipeline[-1].estimators_[0] = _Constant(0.25)  # a label the fast scores do not do
    model = FactorModel(pipeline, base.labels, base.card)
    batch = [_fresh(f) for *_, f in corpus[:64]]
    X = model.transform(batch)
    expected = pipeline[0].transform(matrix(batch))
    assert _same(X, expected)
    assert np.array_equal(model.scores(X), pipeline[-1].predict_proba(expected))
    for i, f in enumerate(batch):
        assert model.evidence(f, X[i], [0, 1, 2, 3]) == reference_evidence(model, f, X[i], [0, 1, 2, 3])
