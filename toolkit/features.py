"""Classifier features of a passage, computed from the pipeline's tokens and entities.

The factor classifier never sees a tokenizer: the pipeline turns each passage
into three plain strings (the text, its content lemmas, its entity kinds) and
remembers where each lemma came from, so evidence can point back into the text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
from spacy.attrs import IDX, IS_ALPHA, IS_PUNCT, IS_SPACE, IS_STOP, LEMMA, LENGTH, POS
from spacy.parts_of_speech import NAMES as _POS_NAMES
from spacy.tokens import Doc

from .data import data_dir
from .errors import ConfigError
from .gazetteer import Gazetteer
from .results import Entity

_KO_CONTENT = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "X", "NUM"})
_EN_CONTENT = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV", "X", "NUM"})
COLUMNS = ("text", "terms", "tags")


@cache
def lexicon(path: Path | None = None) -> dict[str, list[tuple[str, str, str, re.Pattern[str]]]]:
    """The factor cue lexicon (``corpora/lexicon/cues.tsv``) compiled per language.

    Returns ``{lang: [(factor, cue, key, pattern), ...]}``, where ``key`` is a
    literal the text must contain for the cue to match (a cheap pre-check). English cues match whole
    words case-insensitively (``smuggl*`` = smuggler, smuggling); Korean cues
    match inside words, since particles and endings attach to them.
    """
    path = path or data_dir("lexicon") / "cues.tsv"
    out: dict[str, list[tuple[str, str, str, re.Pattern[str]]]] = {"en": [], "ko": []}
    with path.open(encoding="utf-8") as fh:
        rows = csv.reader((line for line in fh if not line.startswith("#")), delimiter="\t")
        header = next(rows, None)
        if header != ["factor", "lang", "cue"]:
            raise ConfigError(f"{path}: header must be factor, lang, cue")
        for n, row in enumerate(rows, 2):
            if len(row) != 3 or row[1] not in out:
                raise ConfigError(f"{path}:{n}: expected factor<TAB>en|ko<TAB>cue")
            factor, lang, cue = row
            if lang == "en":
                body = re.escape(cue.rstrip("*")).replace("\\ ", r"\s+").replace("'", "['’]")
                tail = r"\w*" if cue.endswith("*") else ""
                pattern = re.compile(rf"\b{body}{tail}\b", re.IGNORECASE)
            else:
                pattern = re.compile(re.escape(cue).replace("\\ ", r"\s*"))
            key = re.split(r"[\s'*]", cue.lower())[0]
            out[lang].append((factor, cue, key, pattern))
    return out


_WORD = re.compile(r"\w+")


@cache
def _cues(lang: str) -> list[tuple[str, re.Pattern[str], str, str]]:
    """The language's cues as ``(key, pattern, LEX feature, CUE feature)``, in lexicon order."""
    return [(key, pattern, f"LEX:{factor}", f"CUE:{cue.replace(' ', '_')}")
            for factor, cue, key, pattern in lexicon()[lang]]


@cache
def _english_cues_by_head() -> tuple[dict[str, list[int]], list[int]] | None:
    """English cues by the first three characters of their key's leading word characters.

    Cues whose key opens with fewer than three word characters come apart, to
    be tried on every text. ``None`` (no shortcut) unless every English cue is
    ASCII and its key starts with a word character.
    """
    index: dict[str, list[int]] = {}
    short: list[int] = []
    for i, (_, cue, key, _) in enumerate(lexicon()["en"]):
        head = _WORD.match(key)
        if not cue.isascii() or head is None:
            return None
        if len(head.group()) < 3:
            short.append(i)
        else:
            index.setdefault(head.group()[:3], []).append(i)
    return index, short


def _plain_case(text: str) -> bool:
    """Whether every character of ``text`` beyond ASCII is caseless.

    Then lower-casing keeps every character in place, and a case-insensitive
    match of an ASCII pattern is a match of the lower-cased text.
    """
    return text.isascii() or all(c.isascii() or c.lower() == c == c.upper() for c in set(text))


def cue_spans(text: str, lang: str) -> list[tuple[str, int, int]]:
    """``(feature, start, end)`` for every cue of the lexicon found in ``text``.

    Each hit gives two features: ``LEX:<factor>`` and ``CUE:<cue>``. Cues are
    tried in lexicon order; a cue whose key the lower-cased text lacks is
    skipped. For most English texts the same hits are found faster: an English
    cue matches only at the start of a word (its pattern opens with ``\\b``),
    so only cues whose key can begin one of the text's words are tried, and
    only where the lower-cased text holds the key.
    """
    out: list[tuple[str, int, int]] = []
    low = text.lower()
    cues = _cues(lang)
    heads = _english_cues_by_head() if lang == "en" else None
    if heads is not None and _plain_case(text):
        index, tried = heads
        for start in index.keys() & {w[:3] for w in _WORD.findall(low)}:
            tried = tried + index[start]
        for i in sorted(tried):
            key, pattern, lex, name = cues[i]
            at = low.find(key)
            while at >= 0:
                m = pattern.match(text, at)
                if m is None:
                    at = low.find(key, at + 1)
                    continue
                s, e = m.span()
                out += ((lex, s, e), (name, s, e))
                at = low.find(key, e)
        return out
    for key, pattern, lex, name in cues:
        if key in low:
            for m in pattern.finditer(text):
                s, e = m.span()
                out += ((lex, s, e), (name, s, e))
    return out


@dataclass(frozen=True, slots=True)
class PassageFeatures:
    """The three feature strings of one passage and the spans behind its terms and tags.

    ``term_spans`` and ``tag_spans`` hold ``(feature, start, end)`` with offsets
    relative to the passage. ``model_cache`` is not part of the value: a model's
    transform leaves there what it derived from the passage for later calls
    (:meth:`toolkit.factors.FactorModel.evidence` reads it instead of hashing again).
    """

    text: str
    terms: str
    tags: str
    term_spans: tuple[tuple[str, int, int], ...]
    tag_spans: tuple[tuple[str, int, int], ...]
    model_cache: dict[Hashable, tuple[np.ndarray, ...]] = field(default_factory=dict, init=False,
                                                               repr=False, compare=False)

    def row(self) -> list[str]:
        """The row fed to the model's column transformer."""
        return [self.text, self.terms, self.tags]


@cache
def _content_pos(lang: str) -> np.ndarray:
    """Whether the language keeps a token of each POS id as a term (the last entry: ids spaCy does not name, ``X``)."""
    content = _EN_CONTENT if lang == "en" else _KO_CONTENT
    table = np.ones(int(max(_POS_NAMES)) + 2, dtype=bool)
    for pos, name in _POS_NAMES.items():
        table[int(pos)] = (name or "X") in content
    return table


def from_doc(doc: Doc, lang: str, entities: Sequence[Entity], gazetteer: Gazetteer | None = None,
             text: str | None = None) -> PassageFeatures:
    """Features of one passage ``doc`` (entity offsets relative to the passage).

    English keeps lower-cased lemmas of content words that are not stop words;
    Korean keeps content morphemes (nouns, verb and adjective stems as lemmas,
    foreign words). Tags are the cue-lexicon hits (:func:`cue_spans`) and the
    entities: label, gazetteer kind (``K:ngo``) and, for countries, id (``C:CN``).
    """
    strings = doc.vocab.strings
    spans: list[tuple[str, int, int]] = []
    # One array read instead of a Python object per token; punctuation, spaces, function
    # words (and English stop words) are dropped there, before any Python work per token.
    rows = doc.to_array([POS, IS_PUNCT, IS_SPACE, IS_STOP, IS_ALPHA, LEMMA, IDX, LENGTH])
    content = _content_pos(lang)
    keep = content[np.minimum(rows[:, 0], len(content) - 1)] & (rows[:, 1] == 0) & (rows[:, 2] == 0)
    if lang == "en":
        keep &= rows[:, 3] == 0
    text = doc.text if text is None else text  # the caller's copy saves rebuilding it from tokens
    for alpha, lemma_id, idx, length in rows[keep, 4:].tolist():
        surface = text[idx : idx + length]
        if lang == "en" and not (alpha or any(c.isalpha() for c in surface)):
            continue
        lemma = (strings[lemma_id] if lemma_id else surface).lower()
        if lang == "en" and len(lemma) < 2:
            continue
        spans.append((lemma.replace(" ", "_"), idx, idx + length))
    ent_terms: list[tuple[str, int, int]] = []
    for ent in entities:
        kind = ""
        if gazetteer is not None and ent.id is not None and ent.id in gazetteer.entries:
            kind = gazetteer.entries[ent.id].kind
        ent_terms.append((f"L:{ent.label}", ent.start, ent.end))
        if kind:
            ent_terms.append((f"K:{kind.replace(' ', '_')}", ent.start, ent.end))
        if kind == "country" and ent.id:
            ent_terms.append((f"C:{ent.id}", ent.start, ent.end))
    ent_terms.extend(cue_spans(text, lang))
    return PassageFeatures(
        text=text,
        terms=" ".join(t for t, _, _ in spans),
        tags=" ".join(t for t, _, _ in ent_terms),
        term_spans=tuple(spans),
        tag_spans=tuple(ent_terms),
    )


def matrix(features: Sequence[PassageFeatures]) -> np.ndarray:
    """An object array with one row per passage and the columns of :data:`COLUMNS`."""
    out = np.empty((len(features), len(COLUMNS)), dtype=object)
    for i, f in enumerate(features):
        out[i, :] = f.row()
    return out
