"""The per-language spaCy pipelines, built once per process and cached."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

import spacy
from spacy.language import Language
from spacy.lookups import Lookups, load_lookups

from .errors import ConfigError

_CACHE: dict[tuple[str, str, bool], Language] = {}
_LOCK = threading.Lock()

# Closed-class English words for the attribute ruler: a blank English pipeline has no
# tagger, so open-class words keep POS "X" unless a trained pipeline is configured.
_EN_CLOSED: dict[str, tuple[str, ...]] = {
    "DET": ("a", "an", "the", "this", "that", "these", "those", "every", "each", "some", "any",
            "no", "all", "both", "either", "neither", "another", "such"),
    "PRON": ("i", "me", "my", "mine", "we", "us", "our", "you", "your", "he", "him", "his", "she",
             "her", "hers", "it", "its", "they", "them", "their", "who", "whom", "whose", "which",
             "what", "myself", "himself", "herself", "themselves", "itself", "ourselves"),
    "ADP": ("of", "in", "to", "for", "with", "on", "at", "from", "by", "about", "as", "into",
            "through", "after", "over", "between", "out", "against", "during", "without", "before",
            "under", "around", "among", "across", "toward", "towards", "via", "near", "since",
            "until", "within", "along", "despite", "upon", "behind", "beyond"),
    "CCONJ": ("and", "or", "but", "nor", "yet", "so"),
    "SCONJ": ("if", "because", "while", "although", "though", "whether", "unless", "whereas", "once"),
    "AUX": ("is", "are", "was", "were", "be", "been", "being", "am", "has", "have", "had", "do",
            "does", "did", "will", "would", "shall", "should", "can", "could", "may", "might", "must"),
    "PART": ("not", "n't", "'s", "’s"),
}


@cache
def english_lookups() -> Lookups | None:
    """spaCy's English lemma lookup table (spacy-lookups-data), loaded once per process and shared by the
    lemmatizer and the gazetteer's test for common words; ``None`` if the package is missing."""
    try:
        return load_lookups("en", ["lemma_lookup"])
    except (ValueError, OSError):  # pragma: no cover - spacy-lookups-data missing
        return None


def _english(model: str | None) -> Language:
    if model:
        try:
            nlp = spacy.load(model, exclude=["ner"])
        except OSError as exc:
            raise ConfigError(f"English pipeline {model!r} is not installed") from exc
    else:
        nlp = spacy.blank("en")
        ruler: Any = nlp.add_pipe("attribute_ruler")
        ruler.add([[{"IS_PUNCT": True}]], {"POS": "PUNCT"})
        ruler.add([[{"LIKE_NUM": True}]], {"POS": "NUM"})
        ruler.add([[{"IS_CURRENCY": True}]], {"POS": "SYM"})
        ruler.add([[{"IS_SPACE": True}]], {"POS": "SPACE"})
        for pos, words in _EN_CLOSED.items():
            ruler.add([[{"LOWER": {"IN": list(words)}}]], {"POS": pos})
        lookups = english_lookups()
        if lookups is None:
            raise ConfigError("English lemmas need spacy-lookups-data: pip install spacy-lookups-data")
        lemmatizer: Any = nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        lemmatizer.initialize(lookups=lookups)
    if not {"sentencizer", "parser", "senter"} & set(nlp.pipe_names):
        nlp.add_pipe("sentencizer", first=True)
    return nlp


def _korean(backend: str) -> Language:
    nlp = spacy.blank("ko", config={"nlp": {"tokenizer": {
        "@tokenizers": "nktk.KoreanTokenizer.v1", "backend": backend}}})
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "!", "?", "。", "…", "다."]})
    return nlp


def get_nlp(lang: str, *, backend: str | None = None, entities: bool = False,
            en_model: str | None = None) -> Language:
    """The cached pipeline of ``lang`` (``en`` or ``ko``), built on first use.

    Args:
        lang: ``en`` or ``ko``.
        backend: Korean analyser (see :data:`toolkit.korean.BACKENDS`); ignored for English.
        entities: add the gazetteer entity ruler of that language.
        en_model: an installed trained English pipeline to use instead of the blank one.
    """
    if lang not in ("en", "ko"):
        raise ConfigError(f"unknown language {lang!r}; use en or ko")
    from . import korean  # registers nktk.KoreanTokenizer.v1 (also an entry point once installed)

    backend = backend or korean.DEFAULT_BACKEND
    key_backend = backend if lang == "ko" else (en_model or "")
    key = (lang, key_backend, entities)
    with _LOCK:
        nlp = _CACHE.get(key)
        if nlp is None:
            nlp = _english(en_model) if lang == "en" else _korean(backend)
            if entities:
                from .gazetteer import add_entity_ruler

                add_entity_ruler(nlp, lang)
            _CACHE[key] = nlp
    return nlp
