"""Classifier features of a passage, computed from the pipeline's tokens and entities.

The factor classifier never sees a tokenizer: the pipeline turns each passage
into three plain strings (the text, its content lemmas, its entity kinds) and
remembers where each lemma came from, so evidence can point back into the text.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
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


def cue_spans(text: str, lang: str) -> list[tuple[str, int, int]]:
    """``(feature, start, end)`` for every cue of the lexicon found in ``text``.

    Each hit gives two features: ``LEX:<factor>`` and ``CUE:<cue>``.
    """
    out = []
    low = text.lower()
    for factor, cue, key, pattern in lexicon()[lang]:
        if key not in low:
            continue
        for m in pattern.finditer(text):
            out.append((f"LEX:{factor}", m.start(), m.end()))
            out.append((f"CUE:{cue.replace(' ', '_')}", m.start(), m.end()))
    return out


@dataclass(frozen=True, slots=True)
class PassageFeatures:
    """The three feature strings of one passage and the spans behind its terms and tags.

    ``term_spans`` and ``tag_spans`` hold ``(feature, start, end)`` with offsets
    relative to the passage.
    """

    text: str
    terms: str
    tags: str
    term_spans: tuple[tuple[str, int, int], ...]
    tag_spans: tuple[tuple[str, int, int], ...]

    def row(self) -> list[str]:
        """The row fed to the model's column transformer."""
        return [self.text, self.terms, self.tags]


def from_doc(doc: Doc, lang: str, entities: Sequence[Entity], gazetteer: Gazetteer | None = None,
             text: str | None = None) -> PassageFeatures:
    """Features of one passage ``doc`` (entity offsets relative to the passage).

    English keeps lower-cased lemmas of content words that are not stop words;
    Korean keeps content morphemes (nouns, verb and adjective stems as lemmas,
    foreign words). Tags are the cue-lexicon hits (:func:`cue_spans`) and the
    entities: label, gazetteer kind (``K:ngo``) and, for countries, id (``C:CN``).
    """
    content = _EN_CONTENT if lang == "en" else _KO_CONTENT
    strings = doc.vocab.strings
    spans: list[tuple[str, int, int]] = []
    # One array read instead of a Python object per token.
    rows = doc.to_array([POS, IS_PUNCT, IS_SPACE, IS_STOP, IS_ALPHA, LEMMA, IDX, LENGTH]).tolist()
    text = doc.text if text is None else text  # the caller's copy saves rebuilding it from tokens
    for pos, punct, space, stop, alpha, lemma_id, idx, length in rows:
        if space or punct or (_POS_NAMES.get(pos) or "X") not in content:
            continue
        surface = text[idx : idx + length]
        if lang == "en" and (stop or not (alpha or any(c.isalpha() for c in surface))):
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
