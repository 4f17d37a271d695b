"""The bilingual gazetteer and the spaCy component that finds its entities in text.

Every row of ``corpora/gazetteer/*.tsv`` is one real-world entity with a stable
id; every English and Korean spelling points to it. Matching works on
characters, not tokens, so it does not depend on how an analyser splits a name:

* the text is folded one-to-one (lower case, accents dropped, apostrophes and
  hyphens unified) and compacted by leaving out spaces, hyphens and
  apostrophes, so ``P'yŏngan-namdo``, ``Pyongan namdo`` and ``Pyongannamdo``
  are the same string;
* a trie-shaped regular expression over all compacted variants finds
  candidates in one pass; the longest candidate whose boundaries hold wins;
* English names must stand as whole words, acronyms and names made of common
  words (``MOU``, ``Good Friends``) must be written as names; Korean place
  names must start a word and may only be followed by particles (``함경북도에서``
  but not ``중국인`` or ``북한이탈주민``); organizations may sit inside a
  longer word (``조선로동당원``).

Names the gazetteer lacks are caught by rules (organization heads such as
Ministry, Church, -위원회, -선교회) with ``id=None``.
"""

from __future__ import annotations

import csv
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from .data import data_dir
from .errors import ConfigError
from .results import Entity

COLUMNS = ("id", "label", "kind", "parent", "canonical", "en", "ko")
LABELS = ("PROVINCE", "ORG", "LOC")
_SEP = " -'"
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_LATIN_WORD_CHAR = re.compile(r"[0-9A-Za-z\u00c0-\u024f]")
_LATIN = re.compile(r"[A-Za-z]")
_CURRENCY = re.compile(r"\s+dollars?\b", re.IGNORECASE)
_DOTTED = re.compile(r"(?:^|.*\s)(?:[A-Za-z]\.)+[A-Za-z]")

# Korean particles and bound nouns that may follow a place name in the same word.
# Case particles, their contractions (에선), the copula with common endings (이었어요,
# 이니까) and bound nouns that keep a place a place (행, 측, 항, 일대).
_PARTICLES = (
    "에서부터|에서도|에서는|에서의|에서만|에서|에선|으로부터|으로는|으로도|으로의|으로|로부터|로는|로도|로의|로|"
    "에게서|에게|에는|에도|에만|에의|에다가|에다|에|의|을|를|은|는|이|가|과의|와의|과|와|까지도|까지는|까지의|까지|"
    "부터|보다|처럼|만큼|마다|만|도|이나|나|이든|든|이며|며|이랑|랑|하고|한테서|한테|께서|께|"
    "이었어요|였어요|이었습니다|였습니다|이었다|였다|이었고|였고|이었던|였던|이에요|예요|입니다|이다|다|"
    "이라는|라는|이라고|라고|이라서|라서|이라도|라도|이지만|지만|이니까|니까|이니|이면|면|인데|이던|던|"
    "이고|고|이요|요|이죠|죠|이야|야|이지|지|"
    "행|측|내|쪽|간|발|항|산하|쪽으로|지역|일대|당국|정부|주민|출신"
)
_PARTICLE_TAIL = re.compile(rf"(?:{_PARTICLES})+")


def _tail_ok(text: str, end: int) -> bool:
    """Whether the Hangul that follows ``text[:end]`` in its word is only particles (or nothing)."""
    tail = re.match(r"[\uac00-\ud7a3]+", text[end:])
    return tail is None or _PARTICLE_TAIL.fullmatch(tail.group()) is not None
# Country qualifiers written before an organization's name; not part of the ORG span.
_QUALIFIER = {
    "ko": re.compile(r"(?:중국|미국|미|북한|한국|남한|일본|러시아|영국)\s+"),
    "en": re.compile(r"(?:Chinese|North Korean|South Korean|American|Japanese|Russian|British)\s+"),
}


def fold(text: str) -> str:
    """Lower-case, strip Latin accents and unify apostrophes and hyphens, one char per char.

    The result has the length of ``text``, so offsets carry over.

    >>> fold("P’yŏngan-Namdo")
    "p'yongan-namdo"
    """
    return text.translate(_fold_table())


@cache
def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x41, 0x2B0):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)).lower()
        if len(base) == 1 and base != ch:
            table[cp] = base
    for ch in "’‘`ʼ´ʻ′":
        table[ord(ch)] = "'"
    for ch in "‐‑‒–—―":
        table[ord(ch)] = "-"
    for ch in "\t\n\r\x0b\x0c\u00a0\u3000\u2009\u200a\u202f":
        table[ord(ch)] = " "
    return table


def _spacing(text: str) -> str:
    """Folded text with runs of spaces and hyphens as one space: how a name is split into words."""
    return " ".join(re.sub(r"[\s\-.]+", " ", fold(text)).split())


def compact(text: str) -> str:
    """A gazetteer key: folded, with spaces, hyphens, apostrophes and dots left out."""
    return "".join(c for c in fold(text) if c not in _SEP and c != ".")


@dataclass(frozen=True, slots=True)
class Entry:
    """One real-world entity of the gazetteer."""

    id: str
    label: str
    kind: str
    parent: str
    canonical: str
    en: tuple[str, ...]
    ko: tuple[str, ...]
    ambiguous: frozenset[str]


@dataclass(frozen=True, slots=True)
class Variant:
    """A spelling: its entry, whether it must keep its case, and whether it is ambiguous."""

    entry: Entry
    text: str
    strict_case: bool
    spellings: frozenset[str] = frozenset()


# Kinds of region a migrant comes from: provinces and the cities ranked with them. ANNOTATION.md labels
# the cities LOC; the kind keeps their rank so a report can group them with provinces.
REGION_KINDS = frozenset({"province", "autonomous region", "historical province", "province-level city",
                          "special city", "special administrative region"})


def region_ids(directory: Path | None = None) -> frozenset[str]:
    """Ids of the regions of origin: provinces and province-level cities (``Pyongyang`` is LOC but one)."""
    return frozenset(e.id for e in load_entries(directory) if e.kind in REGION_KINDS)


def default_dir() -> Path:
    """The bundled gazetteer folder."""
    return data_dir("gazetteer")


def load_entries(directory: Path | None = None) -> list[Entry]:
    """Read every ``*.tsv`` file of the gazetteer folder (see ``corpora/gazetteer/README.md``)."""
    directory = directory or default_dir()
    files = sorted(directory.glob("*.tsv"))
    if not files:
        raise ConfigError(f"{directory}: no gazetteer *.tsv files")
    entries: list[Entry] = []
    for path in files:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            header = tuple(next(reader, ()))
            if header != COLUMNS:
                raise ConfigError(f"{path}: header must be {' '.join(COLUMNS)}")
            for n, row in enumerate(reader, 2):
                if not row or not "".join(row).strip():
                    continue
                if len(row) != len(COLUMNS):
                    raise ConfigError(f"{path}:{n}: expected {len(COLUMNS)} columns, got {len(row)}")
                rid, label, kind, parent, canonical, en, ko = (c.strip() for c in row)
                if label not in LABELS:
                    raise ConfigError(f"{path}:{n}: label {label!r} is not one of {', '.join(LABELS)}")
                en_v = _split(en)
                ko_v = _split(ko)
                amb = frozenset(v[1:] for v in (*en_v, *ko_v) if v.startswith("?"))
                entries.append(Entry(rid, label, kind, parent, canonical,
                                     tuple(v.lstrip("?") for v in en_v),
                                     tuple(v.lstrip("?") for v in ko_v), amb))
    return entries


def lint(entries: Iterable[Entry]) -> list[str]:
    """Problems of a gazetteer: duplicate ids, missing parents, and a spelling that points
    to two entries without being marked ambiguous (``?``) on all of them but one.
    """
    problems: list[str] = []
    ids: set[str] = set()
    entries = list(entries)
    for e in entries:
        if e.id in ids:
            problems.append(f"duplicate id {e.id}")
        ids.add(e.id)
    owners: dict[str, dict[str, bool]] = {}
    for e in entries:
        if e.parent and e.parent not in {x.id for x in entries}:
            problems.append(f"{e.id}: parent {e.parent} is not defined")
        for text in {e.canonical, *e.en, *e.ko}:
            key = compact(_strip_province(text, e.label))
            owners.setdefault(key, {})[e.id] = owners.get(key, {}).get(e.id, False) or text not in e.ambiguous
    for key, who in owners.items():
        defaults = [i for i, is_default in who.items() if is_default]
        if len(who) > 1 and len(defaults) != 1:
            problems.append(f"spelling {key!r} points to {sorted(who)}: mark it '?' on all but one")
    return problems


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()]


def _strip_province(variant: str, label: str) -> str:
    if label == "PROVINCE":
        return re.sub(r"\s+province$", "", variant, flags=re.IGNORECASE)
    return variant


@cache
def _english_lemmas() -> Any:
    """spaCy's English lemma lookup table (inflected form -> lemma), or an empty dict."""
    from .pipeline import english_lookups

    lookups = english_lookups()
    return lookups.get_table("lemma_lookup") if lookups is not None else {}


@cache
def _lemma_values() -> frozenset[str]:
    return frozenset(str(v).lower() for v in _english_lemmas().values())


def _is_common_word(word: str) -> bool:
    """An English dictionary word (any inflection), as opposed to a name like Hamgyong."""
    return word in ("of", "the", "and", "for", "in", "on") or word in _english_lemmas() or word in _lemma_values()


def _is_strict(variant: str) -> bool:
    """Acronyms and names made only of common English words must be written as names."""
    letters = re.sub(r"[^A-Za-z]", "", variant)
    if letters and letters.isupper() and len(letters) <= 6:
        return True
    words = [w for w in re.findall(r"[A-Za-z]+", variant.lower())]
    return bool(words) and all(_is_common_word(w) for w in words)


def _trie_regex(keys: Iterable[str]) -> re.Pattern[str]:
    """A regular expression equivalent to ``key1|key2|...`` shaped as a trie (fast, longest first)."""
    trie: dict[str, Any] = {}
    for key in keys:
        node = trie
        for ch in key:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            body = "(?:" + body + ")?"
        return body

    return re.compile(build(trie))


class Gazetteer:
    """Variants of every entry, indexed by compacted key, and a matcher per language."""

    def __init__(self, entries: list[Entry]) -> None:
        self.entries = {e.id: e for e in entries}
        self._names: list[tuple[Entry, set[str]]] | None = None  # for search(), built on first use
        self._index: dict[str, dict[str, Variant]] = {"en": {}, "ko": {}}
        for entry in entries:
            for lang, variants in (("en", (entry.canonical, *entry.en)), ("ko", entry.ko)):
                for text in variants:
                    text = _strip_province(text, entry.label)
                    key = compact(text)
                    if len(key) < 2:
                        continue
                    index = self._index[lang]
                    old = index.get(key)
                    strict = lang == "en" and _is_strict(text)
                    spelled = frozenset({_spacing(text)})
                    if old is None:
                        index[key] = Variant(entry, text, strict, spelled)
                    elif old.entry.id == entry.id:  # another spelling with the same key
                        index[key] = Variant(entry, old.text, strict and old.strict_case, old.spellings | spelled)
                    elif old.text in old.entry.ambiguous and text not in entry.ambiguous:
                        index[key] = Variant(entry, text, strict, spelled)  # the default meaning wins
        self._regex = {lang: _trie_regex(idx) for lang, idx in self._index.items()}

    def lookup(self, name: str, lang: str | None = None) -> Entry | None:
        """The entry a spelling points to, in any language (``None`` if unknown).

        >>> load().lookup("Hamgyŏng-pukto").canonical
        'North Hamgyong'
        """
        key = compact(_strip_province(name, "PROVINCE"))
        for code in (lang,) if lang else ("en", "ko"):
            variant = self._index[code].get(key)
            if variant is not None:
                return variant.entry
        return None

    def search(self, query: str, *, label: str | None = None, limit: int = 10) -> list[Entry]:
        """Entries one of whose names, in either language, contains ``query`` (folded, spaces ignored).

        Ranked: an exact name first, then names that begin with the query,
        then the rest; shorter canonical names first within each. This is what
        the review app's canonical-name box asks.

        >>> [e.canonical for e in load().search("함북")][:1]
        ['North Hamgyong']
        """
        key = compact(query)
        if not key:
            return []
        if self._names is None:
            self._names = [(e, {compact(n) for n in (e.canonical, *e.en, *e.ko)} - {""})
                           for e in self.entries.values()]
        ranked = []
        for entry, names in self._names:
            if label is not None and entry.label != label:
                continue
            rank = 0 if key in names else 1 if any(n.startswith(key) for n in names) else \
                2 if any(key in n for n in names) else None
            if rank is not None:
                ranked.append((rank, len(entry.canonical), entry.canonical, entry))
        ranked.sort(key=lambda r: r[:3])
        return [r[3] for r in ranked[:limit]]

    def find(self, text: str, lang: str) -> list[Entity]:
        """All gazetteer and rule entities of ``text``, by start offset.

        Gazetteer names of both scripts are matched; ``lang`` picks the
        organization rules (English heads or Korean suffixes).
        """
        # Each script is matched by its own rules, whatever the passage language:
        # Korean texts quote UNHCR, English ones quote 함경북도.
        found = []
        if _LATIN.search(text):
            found += self._find_gazetteer(text, "en")
        if _HANGUL.search(text):
            found += self._find_gazetteer(text, "ko")
        for rule in find_rule_orgs(text, lang):
            inside = [e for e in found if rule.start < e.end and e.start < rule.end]
            # A rule name wins over names it wholly contains, places anywhere ("Seoul Hope Mission
            # Church") and organizations at its start ("Durihana International School").
            if all(rule.start <= e.start and e.end <= rule.end and (e.label != "ORG" or e.start == rule.start)
                   and (e.start, e.end) != (rule.start, rule.end) for e in inside):
                found = [e for e in found if e not in inside]
                found.append(rule)
        return sorted(found + _acronyms(text, found), key=lambda e: e.start)

    def _find_gazetteer(self, text: str, lang: str) -> list[Entity]:
        folded = fold(text)
        keep = [i for i, c in enumerate(folded) if c not in _SEP and c != "."]
        packed = "".join(folded[i] for i in keep)
        index, regex = self._index[lang], self._regex[lang]
        out: list[Entity] = []
        pos = 0
        while True:
            m = regex.search(packed, pos)
            if m is None:
                break
            ent = None
            size = 0
            key = m.group()
            # Longest first; a candidate failing its boundaries gives way to a shorter one.
            for size in range(len(key), 1, -1):
                variant = index.get(key[:size])
                if variant is None:
                    continue
                start, end = keep[m.start()], keep[m.start() + size - 1] + 1
                if text[end : end + 1] == "." and _DOTTED.fullmatch(text[start:end]):
                    end += 1  # U.N. keeps its last dot
                if self._accept(text, start, end, variant, lang):
                    ent = Entity(start, end, text[start:end], variant.entry.label,
                                 variant.entry.canonical, variant.entry.id)
                    break
            if ent is None:
                pos = m.start() + 1
                continue
            out.extend(self._split_qualifier(ent, lang))
            pos = m.start() + size
        return out

    def _split_qualifier(self, ent: Entity, lang: str) -> list[Entity]:
        """Mark a country qualifier apart from the organization it qualifies (ANNOTATION.md).

        ``중국 외교부`` gives ``중국`` (LOC) and ``외교부`` (ORG, the Chinese ministry's id);
        ``미 국무부`` and ``Chinese Ministry of Public Security`` drop the qualifier.
        """
        if ent.label != "ORG":
            return [ent]
        m = _QUALIFIER[lang].match(ent.text)
        if m is None or m.end() >= len(ent.text):
            return [ent]
        head = ent.text[: m.end()].strip()
        start = ent.start + m.end()
        rest = Entity(start, ent.end, ent.text[m.end():], ent.label, ent.canonical, ent.id)
        if lang == "en":  # only when the rest is itself a name of this entity (not "British Broadcasting ...")
            same = self._index["en"].get(compact(rest.text))
            if same is None or same.entry.id != ent.id:
                return [ent]
        place = self._index[lang].get(compact(head))
        if lang == "ko" and place is not None and place.entry.label == "LOC":
            e = place.entry
            return [Entity(ent.start, ent.start + len(head), head, e.label, e.canonical, e.id), rest]
        return [rest]

    @staticmethod
    def _accept(text: str, start: int, end: int, variant: Variant, lang: str) -> bool:
        surface = text[start:end]
        if lang == "en":
            if start > 0 and _LATIN_WORD_CHAR.match(text[start - 1]):
                return False
            if _CURRENCY.match(text, end):  # "US dollars" names a currency, not a place
                return False
            # A space or hyphen no spelling has needs words of three letters or more on both
            # sides (Hamgyong bukto), so that "I ran" is not Iran and "to go" not Togo.
            if _spacing(surface) not in variant.spellings and any(
                    len(piece) < 3 for piece in _spacing(surface).split()):
                return False
            if end < len(text) and _LATIN_WORD_CHAR.match(text[end]):
                return False
            if variant.strict_case:
                if re.search(r"[a-z][A-Z]", variant.text):  # LiNK: written exactly so, or not at all
                    return surface == variant.text
                if re.sub(r"[^A-Za-z]", "", variant.text).isupper():
                    return re.sub(r"[\W_]", "", surface) == re.sub(r"[\W_]", "", variant.text)
                return all(w[0].isupper() for w in re.findall(r"[^\W\d_]+", surface) if len(w) > 3)
            return True
        # Korean: a spacing the variant does not have needs pieces of two characters or more
        # (함경 북도), so that 그 중 국가 does not give 중국.
        if _spacing(surface) not in variant.spellings and any(len(piece) < 2 for piece in surface.split()):
            return False
        if variant.entry.label != "ORG" and start > 0 and _HANGUL.match(text[start - 1]):
            return False
        return variant.entry.label == "ORG" or _tail_ok(text, end)


# --- names the gazetteer lacks: organization rules ----------------------------------------------

_EN_HEADS = (
    "Ministry|Association|Church|Mission|Missions|Union|League|Committee|Commission|Council|Party|"
    "Office|Center|Centre|Network|Foundation|Institute|Alliance|Coalition|Society|Agency|Bureau|"
    "Federation|Fellowship|Department|Organization|Organisation|Service|Services|Project|Initiative|"
    "School|University|College|Academy|Hospital|Bank|Company|Corporation|Group|Fund|Court|Tribunal|"
    "Congress|Assembly|Parliament|Embassy|Consulate|Council|Authority|Administration|Ministries|Police Station"
)
_EN_NAME_WORD = r"(?:[A-Z][\w'’&-]*|[A-Z]{2,})"
_EN_ORG = re.compile(
    rf"\b(?:(?:{_EN_NAME_WORD})(?:\s+(?:of|for|and|on|the|in)\s+|\s+))+(?:{_EN_HEADS})\b"
    rf"(?:\s+(?:of|for|on)\s+(?:the\s+)?{_EN_NAME_WORD}(?:\s+(?:and\s+)?{_EN_NAME_WORD})*)?"
    rf"|\b(?:Ministry|Department|Commission|Committee|Office|University|Institute|Academy|Bank|Bureau)"
    rf"\s+(?:of|for|on)\s+(?:the\s+)?"
    rf"{_EN_NAME_WORD}(?:\s+(?:and\s+)?{_EN_NAME_WORD})*"
)
# Capitalized words that start sentences, not names ("Then Party officials ...").
_EN_NOT_NAME = frozenset({
    "The", "A", "An", "This", "That", "These", "Those", "Its", "Their", "His", "Her", "Our", "My", "Your",
    "Some", "Many", "Most", "Both", "Several", "Such", "Other", "Another", "Any", "No", "All", "Every", "Each",
    "In", "On", "At", "By", "For", "From", "With", "Without", "Under", "During", "Since", "Until", "Through",
    "After", "Before", "When", "While", "Where", "Why", "How", "What", "Who", "Which", "As", "If", "But", "And",
    "Or", "So", "Yet", "Then", "However", "Meanwhile", "According", "Also", "Still", "Later", "Earlier",
    "Today", "Yesterday", "Now", "Here", "There", "We", "They", "He", "She", "It", "I", "You", "Last", "Next",
})
_KO_SUFFIXES = ("위원회", "협회", "선교회", "교회", "대사관", "영사관", "경찰서", "연합", "센터", "재단",
                "연구원", "연구소", "협의회", "연대", "본부", "청", "부", "공안국", "보위부", "안전부")
# Common nouns that end like an organization (-부, -청): never the end of a rule name.
_KO_NOT_ORG_ENDINGS = (
    "정부", "내부", "일부", "외부", "간부", "전부", "여부", "세부", "농부", "어부", "신부", "장부", "남부", "북부",
    "서부", "동부", "중부", "상부", "하부", "지부", "군부", "당부", "지도부", "사령부", "수뇌부", "집행부",
    "부부", "과부", "주부", "가부", "대부", "도청", "시청", "군청", "구청", "관청", "민청",
)
# Heads common enough in plain nouns (물류센터, 보호센터) that a name needs a longer stem.
_KO_GENERIC = frozenset({"센터", "연합", "협회", "재단", "연대", "본부", "청"})
_KO_ORG = re.compile(r"(?<![\uac00-\ud7a3])((?:주[\uac00-\ud7a3]{1,4}\s)?[\uac00-\ud7a3]{1,12}(?:"
                     + "|".join(_KO_SUFFIXES) + r"))")
_KO_NOT_ORG = frozenset({
    "정부", "내부", "일부", "외부", "간부", "전부", "여부", "세부", "농부", "어부", "신부", "장부", "남부",
    "북부", "서부", "동부", "중부", "상부", "하부", "지부", "군부", "당부", "지도부", "사령부",
    "수뇌부", "집행부", "대부", "가부", "부부", "과부", "시부", "도청", "시청", "군청", "구청",
    "교회", "센터", "연합", "재단", "협회", "위원회", "대사관", "경찰서", "연구원", "연구소", "청", "부",
    "북한 정부", "중앙당", "정당", "민청", "관청", "검찰청", "경찰청", "그부", "중앙부",
})


_ACRONYM = re.compile(r"\s*\(([A-Z][A-Za-z&]{1,9})\)")


def _acronyms(text: str, found: list[Entity]) -> list[Entity]:
    """An acronym in brackets right after an organization names it too: ``Korea Economic Institute (KEI)``."""
    taken = {(e.start, e.end) for e in found}
    out = []
    for e in found:
        m = _ACRONYM.match(text, e.end) if e.label == "ORG" else None
        if m and sum(c.isupper() for c in m.group(1)) >= 2 and (m.start(1), m.end(1)) not in taken:
            out.append(Entity(m.start(1), m.end(1), m.group(1), "ORG", e.canonical, e.id))
    return out


_UNIT_TAILS = ("에서", "의", "은", "는", "이", "가", "을", "를", "에", "과", "와",
               "으로", "로", "소속", "출신", "까지", "도")
_KO_UNIT = re.compile(r"(?<![\d\uac00-\ud7a3])((?:제)?\d{1,4}(?:군단|사단|여단|지도국|연락소|훈련소|부대|호 ?부대))"
                      r"(?=[^\uac00-\ud7a3]|$|" + "|".join(_UNIT_TAILS) + ")")


_UNIT_HEADS = {"군단": "Corps", "사단": "Division", "여단": "Brigade", "지도국": "Guidance Bureau",
               "연락소": "Liaison Office", "훈련소": "Training Center", "부대": "Unit"}


def _unit_name(surface: str) -> str:
    """The English name of a numbered unit, the same in both languages: ``제4군단`` -> ``4th Corps``."""
    m = re.fullmatch(r"제?(\d+)(.+?)", surface.replace(" ", ""))
    if m is None or m.group(2).removeprefix("호") not in _UNIT_HEADS:
        return surface
    n, head = int(m.group(1)), _UNIT_HEADS[m.group(2).removeprefix("호")]
    if head in ("Guidance Bureau", "Liaison Office", "Unit"):
        return f"{head} {n}" if head == "Unit" else f"{n} {head}"
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix} {head}"


def find_rule_orgs(text: str, lang: str) -> list[Entity]:
    """Organizations named by a recognizable head (``... Mission``, ``...선교회``), id ``None``."""
    out: list[Entity] = []
    if lang == "en":
        for m in _EN_ORG.finditer(text):
            words = [(w.start(), w.group()) for w in re.finditer(r"\S+", m.group())]
            # Leading sentence words and possessors are not part of the name ("China's State Council").
            while words and (words[0][1] in _EN_NOT_NAME or words[0][1].endswith(("'s", "’s"))):
                words.pop(0)
            if len(words) < 2:
                continue
            start, end = m.start() + words[0][0], m.end()
            while end > start and text[end - 1] in ".,'’":
                end -= 1
            surface = text[start:end]
            out.append(Entity(start, end, surface, "ORG", " ".join(surface.split()), None))
        return out
    for m in _KO_UNIT.finditer(text):  # numbered units and bureaus: 131지도국, 제4군단, 414연락소
        out.append(Entity(m.start(1), m.end(1), m.group(1), "ORG", _unit_name(m.group(1)), None))
    for m in _KO_ORG.finditer(text):
        name = m.group(1)
        if name in _KO_NOT_ORG or len(name) < 3 or (" " in name and not name.endswith(("대사관", "영사관"))):
            continue
        if not _tail_ok(text, m.end(1)):  # 그다음부터 is not an organization ending in -부
            continue
        if name.endswith(_KO_NOT_ORG_ENDINGS):  # 가정주부, 당 간부, 남부
            continue
        suffix = next(s for s in _KO_SUFFIXES if name.endswith(s))
        if len(name) - len(suffix) < (3 if suffix in _KO_GENERIC else 2) or (suffix == "부" and len(name) < 4):
            continue
        out.append(Entity(m.start(1), m.end(1), name, "ORG", name, None))
    return out


# --- loading and the spaCy component -------------------------------------------------------------

_LOADED: dict[Path, Gazetteer] = {}
_DEFAULT: list[Gazetteer] = []  # the bundled gazetteer, once loaded (skips resolving its path)
_LOAD_LOCK = threading.Lock()


def load(directory: Path | None = None) -> Gazetteer:
    """The gazetteer of ``directory`` (default: the bundled one), loaded once per process."""
    if directory is None and _DEFAULT:
        return _DEFAULT[0]
    path = (directory or default_dir()).resolve()
    with _LOAD_LOCK:
        if path not in _LOADED:
            _LOADED[path] = Gazetteer(load_entries(path))
        if directory is None:
            _DEFAULT.append(_LOADED[path])
        return _LOADED[path]


if not Doc.has_extension("nktk_entities"):
    Doc.set_extension("nktk_entities", default=None)


@Language.factory("nktk_gazetteer", default_config={"lang": "en", "directory": None})
def make_gazetteer_component(nlp: Language, name: str, lang: str, directory: str | None) -> GazetteerComponent:
    """spaCy factory: ``nlp.add_pipe("nktk_gazetteer", config={"lang": "ko"})``."""
    return GazetteerComponent(lang, Path(directory) if directory else None)


class GazetteerComponent:
    """Sets ``doc._.nktk_entities`` (exact character spans) and ``doc.ents`` (token-aligned)."""

    def __init__(self, lang: str, directory: Path | None = None) -> None:
        self.lang = lang
        self.gazetteer = load(directory)

    def __call__(self, doc: Doc, text: str | None = None) -> Doc:
        """Find the entities; ``text`` (``== doc.text``) saves rebuilding the string from tokens."""
        entities = self.gazetteer.find(doc.text if text is None else text, self.lang)
        doc._.nktk_entities = entities
        spans: list[Span] = []
        last = -1
        for ent in entities:
            span = doc.char_span(ent.start, ent.end, label=ent.label, kb_id=ent.id or "",
                                 alignment_mode="expand")
            if span is not None and span.start >= last:
                spans.append(span)
                last = span.end
        doc.ents = spans
        return doc


def add_entity_ruler(nlp: Language, lang: str) -> None:
    """Add the gazetteer component of ``lang`` to ``nlp`` (last in the pipeline)."""
    if "nktk_gazetteer" not in nlp.pipe_names:
        nlp.add_pipe("nktk_gazetteer", config={"lang": lang})
