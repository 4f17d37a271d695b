"""Tokenization: tables per backend, exact offsets, properties over arbitrary text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.korean import BACKENDS, JVM_BACKENDS, align
from toolkit.layout import INVISIBLE

SENTENCE = "함경북도에서 온 여성들은 장마당에서 장사를 했다."
EXPECTED = {
    "mecab": "함경북도 에서 온 여성 들 은 장마당 에서 장사 를 했 다 .",
    "okt": "함경북도 에서 온 여성 들 은 장마당 에서 장사 를 했다 .",
    "komoran": "함경북도 에서 온 여성 들 은 장 마당 에서 장사 를 했 다 .",
    "kkma": "함경북도 에서 온 여성 들 은 장 마당 에서 장사 를 했 다 .",
    "hannanum": "함경북도 에서 온 여성들 은 장마당 에서 장사 를 했다 .",
    "kiwi": "함경북도 에서 온 여성 들 은 장 마당 에서 장사 를 했 다 .",
}
SENTENCE2 = "그는 2015년 두만강을 건넜다."
EXPECTED2 = {
    "mecab": "그 는 2015 년 두만강 을 건넜 다 .",
    "okt": "그 는 2015년 두만강 을 건넜다 .",
    "komoran": "그 는 2015 년 두만강 을 건넜 다 .",
    "kkma": "그 는 2015 년 두만강 을 건넜 다 .",
    "hannanum": "그 는 2015년 두만강 을 건넜다 .",
    "kiwi": "그 는 2015 년 두만강 을 건넜 다 .",
}


def _backend_param(name: str) -> object:
    return pytest.param(name, marks=pytest.mark.slow) if name in JVM_BACKENDS else name


@pytest.mark.parametrize("backend", [_backend_param(b) for b in BACKENDS])
@pytest.mark.parametrize(("text", "table"), [(SENTENCE, EXPECTED), (SENTENCE2, EXPECTED2)])
def test_korean_backends(backend: str, text: str, table: dict[str, str]) -> None:
    tokens = toolkit.tokenize(text, lang="ko", backend=backend)
    assert " ".join(t.text for t in tokens) == table[backend]
    for tok in tokens:
        assert text[tok.start : tok.end] == tok.text
        assert tok.pos
        assert tok.tag


@pytest.mark.parametrize(
    ("backend", "surface", "lemma", "pos"),
    [("mecab", "온", "오다", "VERB"), ("komoran", "했", "하다", "VERB"), ("kiwi", "했", "하다", "VERB"),
     ("mecab", "함경북도", "함경북도", "PROPN")],
)
def test_korean_lemmas(backend: str, surface: str, lemma: str, pos: str) -> None:
    tokens = {t.text: t for t in toolkit.tokenize(SENTENCE, lang="ko", backend=backend)}
    assert tokens[surface].lemma == lemma
    assert tokens[surface].pos == pos


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Women from North Hamgyong traded.", ["Women", "from", "North", "Hamgyong", "traded", "."]),
        ("They didn't pay $1,200.", ["They", "did", "n't", "pay", "$", "1,200", "."]),
        ("P'yŏngan-namdo, 2019", ["P'yŏngan", "-", "namdo", ",", "2019"]),
    ],
)
def test_english_tokens(text: str, expected: list[str]) -> None:
    assert [t.text for t in toolkit.tokenize(text, lang="en")] == expected


def test_english_lemmas_and_pos() -> None:
    tokens = {t.text: t for t in toolkit.tokenize("The women traded at markets and didn't stop.")}
    assert tokens["traded"].lemma == "trade"
    assert tokens["markets"].lemma == "market"
    assert tokens["at"].pos == "ADP"
    assert tokens["."].pos == "PUNCT"


def test_mixed_document_routes_each_passage() -> None:
    text = "Women from 함경북도 traded at the market.\n\n함경북도에서 왔다."
    tokens = toolkit.tokenize(text)
    english = [t for t in tokens if t.start < text.index("\n")]
    korean = [t for t in tokens if t.start > text.index("\n")]
    assert [t.text for t in english][:3] == ["Women", "from", "함경북도"]
    assert [t.text for t in korean][:2] == ["함경북도", "에서"]
    assert all(t.tag for t in korean)


@pytest.mark.parametrize(
    ("morphs", "expected"),
    [
        ([("하", "VV"), ("았", "EP"), ("다", "EF")], [(0, 1, "VV+EP"), (1, 2, "EF")]),
        ([("가", "VV"), ("아서", "EC"), ("나가", "VV"), ("았", "EP"), ("다", "EF")],
         [(0, 1, "VV"), (1, 2, "EC"), (3, 5, "VV+EP"), (5, 6, "EF")]),
        ([("abc", "SL")], [(0, 2, "UN"), (3, 6, "SL")]),
    ],
)
def test_align_rewritten_forms(morphs: list[tuple[str, str]], expected: list[tuple[int, int, str]]) -> None:
    text = {"하": "했다", "가": "가서 나갔다", "abc": "😀😀 abc"}[morphs[0][0]]
    assert [(m.start, m.end, m.tag) for m in align(text, morphs)] == expected


def _check_exact_and_complete(text: str, backend: str) -> None:
    tokens = toolkit.tokenize(text, backend=backend)
    covered = [False] * len(text)
    last_end = 0
    for tok in tokens:
        assert text[tok.start : tok.end] == tok.text
        assert tok.start >= last_end, "tokens overlap or go backwards"
        last_end = tok.end
        for i in range(tok.start, tok.end):
            covered[i] = True
    # zero-width marks and soft hyphens at a passage's edge draw nothing: like spaces, they need no token
    missing = [c for i, c in enumerate(text) if not covered[i] and not c.isspace() and c not in INVISIBLE]
    assert not missing, f"uncovered characters {missing!r}"


_PIECES = st.one_of(
    st.sampled_from(list("함경북도에서온여성들은장마당장사를했다갔왔줬 .,!?\t\n-'\"()")),
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    st.sampled_from(["😀", "\u1112\u1161\u11b7", "北韓", "ŏ", "\x00", "\x07", "ﾟ", "했다", "나갔다 ", "abc"]),
)
_TEXT = st.lists(_PIECES, max_size=40).map("".join)


@settings(max_examples=150, deadline=None)
@given(_TEXT)
def test_offsets_exact_and_complete_mecab(text: str) -> None:
    _check_exact_and_complete(text, "mecab")


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["komoran", "kkma", "okt", "hannanum", "kiwi"])
@settings(max_examples=40, deadline=None)
@given(text=_TEXT)
def test_offsets_exact_and_complete_other_backends(backend: str, text: str) -> None:
    _check_exact_and_complete(text, backend)


@pytest.mark.parametrize("backend", ["mecab", "kiwi"])
def test_zero_width_morphemes(backend: str) -> None:
    """Kiwi reports an omitted copula (이) with length 0: it must not become an empty token."""
    text = '라"며 "그래도 목소리라도 들어야 살'
    _check_exact_and_complete(text, backend)
    assert all(t.text for t in toolkit.tokenize(text, backend=backend))


def test_very_long_word_and_nfd_input() -> None:
    nfd = unicodedata.normalize("NFD", "함경북도에서 왔다")
    _check_exact_and_complete(nfd, "mecab")
    _check_exact_and_complete("가" * 5000 + " abc" * 10, "mecab")
