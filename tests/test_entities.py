"""Entities: tables per rule in both languages, one id across every spelling, gazetteer lint."""

from __future__ import annotations

import pytest

import toolkit
from toolkit.gazetteer import _QUALIFIER, _strip_province, lint, load, load_entries
from toolkit.pipeline import get_nlp


def _found(text: str, lang: str | None = None) -> list[tuple[str, str, str | None]]:
    return [(e.text, e.label, e.id) for e in toolkit.extract_entities(text, lang=lang)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # particles are excluded, bound suffixes kept
        ("함경북도에서 온 여성", [("함경북도", "PROVINCE", "KP-09")]),
        ("량강도의 혜산으로 갔다", [("량강도", "PROVINCE", "KP-10"), ("혜산", "LOC", "loc:hyesan")]),
        ("양강도까지", [("양강도", "PROVINCE", "KP-10")]),
        ("함북 출신", [("함북", "PROVINCE", "KP-09")]),
        ("지린성과 길림성", [("지린성", "PROVINCE", "CN-JL"), ("길림성", "PROVINCE", "CN-JL")]),
        ("심양과 선양", [("심양", "LOC", "loc:shenyang"), ("선양", "LOC", "loc:shenyang")]),
        # spacing variant
        ("함경 북도에서 왔다", [("함경 북도", "PROVINCE", "KP-09")]),
        # no match inside other words
        ("중국인 남성과 조선족 브로커", []),
        ("북한이탈주민 지원", []),
        ("중국어를 배웠다", []),
        ("남북한 관계", []),
        ("회담이 무산되었다", []),
        # attributive place nouns are marked; 한국행 too
        ("북한 여성들이 한국행을 택했다", [("북한", "LOC", "KP"), ("한국", "LOC", "KR")]),
        # organizations, also inside a longer word; old and new orthography
        ("조선로동당원인 그는", [("조선로동당", "ORG", "org:wpk")]),
        ("조선노동당과 로동당", [("조선노동당", "ORG", "org:wpk"), ("로동당", "ORG", "org:wpk")]),
        ("여맹과 조선민주녀성동맹", [("여맹", "ORG", "org:kdwu"), ("조선민주녀성동맹", "ORG", "org:kdwu")]),
        ("보위부에 끌려갔다", [("보위부", "ORG", "org:mss")]),
        # a country qualifier is not part of the organization
        ("미 재무부가 발표했다", [("재무부", "ORG", "org:us-treasury")]),
        ("중국 외교부 대변인", [("중국", "LOC", "CN"), ("외교부", "ORG", "org:cn-mfa")]),
        # rule organizations: id None, canonical the normalized name
        ("새희망선교회가 도왔다", [("새희망선교회", "ORG", None)]),
        ("서울의 주한 중국대사관 앞에서", [("서울", "LOC", "KR-11"), ("주한 중국대사관", "ORG", None)]),
        # ANNOTATION.md: cities are LOC even where ranked with provinces; historical provinces are PROVINCE
        ("평양과 남포, 함경도",
         [("평양", "LOC", "KP-01"), ("남포", "LOC", "KP-14"), ("함경도", "PROVINCE", "hist:hamgyong")]),
        # media outlets, hacking groups and -본부 names are organizations
        ("데일리NK와 CBS노컷뉴스, 뉴스핌이 전했다",
         [("데일리NK", "ORG", "org:daily-nk"), ("CBS노컷뉴스", "ORG", "org:nocut"), ("뉴스핌", "ORG", "org:newspim")]),
        ("라자루스가 배후로 지목됐다", [("라자루스", "ORG", "org:lazarus")]),
        ("탈북민지원본부가 나섰고 본부는", [("탈북민지원본부", "ORG", None)]),
        # numbered units and bureaus; Chinese police; names repeated in Chinese characters
        ("북한군 131지도국 47여단과 제4군단",
         [("131지도국", "ORG", None), ("47여단", "ORG", None), ("제4군단", "ORG", None)]),
        ("2003년 입대해 10년을 복무했다", []),
        ("중국 공안에 붙잡혀 공안부로",
         [("중국", "LOC", "CN"), ("공안", "ORG", "org:psb"), ("공안부", "ORG", "org:cn-mps")]),
        ("지린(吉林)과 옌볜(延邊)",
         [("지린", "PROVINCE", "CN-JL"), ("吉林", "PROVINCE", "CN-JL"), ("옌볜", "LOC", "loc:yanbian"),
          ("延邊", "LOC", "loc:yanbian")]),
        ("정부와 지도부는", []),
    ],
)
def test_korean_table(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert _found(text, "ko") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Women from North Hamgyong traded.", [("North Hamgyong", "PROVINCE", "KP-09")]),
        ("She left Hamgyŏng-pukto in 1998.", [("Hamgyŏng-pukto", "PROVINCE", "KP-09")]),
        ("from Hamgyong bukto and HAMGYONG-BUKTO", [("Hamgyong bukto", "PROVINCE", "KP-09"),
                                                  ("HAMGYONG-BUKTO", "PROVINCE", "KP-09")]),
        ("P'yŏngan-namdo, Pyongan-namdo and P’yongan-namdo",
         [("P'yŏngan-namdo", "PROVINCE", "KP-02"), ("Pyongan-namdo", "PROVINCE", "KP-02"),
          ("P’yongan-namdo", "PROVINCE", "KP-02")]),
        # "Province" stays outside the span
        ("in Ryanggang Province and Yanggang province", [("Ryanggang", "PROVINCE", "KP-10"),
                                                       ("Yanggang", "PROVINCE", "KP-10")]),
        ("Jilin Province", [("Jilin", "PROVINCE", "CN-JL")]),
        ("from Pyongyang to Seoul via Beijing and Hong Kong",
         [("Pyongyang", "LOC", "KP-01"), ("Seoul", "LOC", "KR-11"), ("Beijing", "LOC", "CN-BJ"),
          ("Hong Kong", "LOC", "CN-HK")]),
        ("the old province of Hamgyong", [("Hamgyong", "PROVINCE", "hist:hamgyong")]),
        ("Lazarus and Daily NK", [("Lazarus", "ORG", "org:lazarus"), ("Daily NK", "ORG", "org:daily-nk")]),
        # an acronym in brackets after an organization is the same organization
        ("the Ministry of Unification (MOU) and the Hanbit Refugee Support Center (HRSC)",
         [("Ministry of Unification", "ORG", "org:mou"), ("MOU", "ORG", "org:mou"),
          ("Hanbit Refugee Support Center", "ORG", None), ("HRSC", "ORG", None)]),
        ("a scholar at the University of North Korean Studies", [("University of North Korean Studies", "ORG", None)]),
        # generic heads that are part of a name stay
        ("across the Tumen River near Musan County",
         [("Tumen River", "LOC", "loc:tumen-river"), ("Musan County", "LOC", "loc:musan-county")]),
        ("the Korean Workers' Party, the KWP and the WPK",
         [("Korean Workers' Party", "ORG", "org:wpk"), ("KWP", "ORG", "org:wpk"), ("WPK", "ORG", "org:wpk")]),
        # demonyms and adjectives are not marked
        ("North Korean and Chinese officials", []),
        # acronyms and common-word names must be written as names
        ("The MOU said Good Friends helped.", [("MOU", "ORG", "org:mou"), ("Good Friends", "ORG", "org:good-friends")]),
        ("good friends helped, and I ran to go", []),
        ("The U.S. and the US", [("U.S.", "LOC", "US"), ("US", "LOC", "US")]),
        # rule organizations
        ("The Tumen Valley Refugee Network and the Ministry of Fisheries and Coastal Affairs.",
         [("Tumen Valley Refugee Network", "ORG", None), ("Ministry of Fisheries and Coastal Affairs", "ORG", None)]),
        ("approved by China's State Council",
         [("China", "LOC", "CN"), ("State Council", "ORG", "org:cn-state-council")]),
        # Korean names quoted in English text
        ("Women from 함경북도 traded.", [("함경북도", "PROVINCE", "KP-09")]),
    ],
)
def test_english_table(text: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert _found(text, "en") == expected


def test_offsets_are_exact_in_mixed_documents() -> None:
    text = "Women from North Hamgyong traded.\n\n함경북도에서 온 여성들은 지린성으로 갔다."
    ents = toolkit.extract_entities(text)
    assert [e.id for e in ents] == ["KP-09", "KP-09", "CN-JL"]
    assert all(text[e.start : e.end] == e.text for e in ents)
    assert {e.canonical for e in ents if e.id == "KP-09"} == {"North Hamgyong"}


def _variants() -> list[tuple[str, str, str]]:
    out = []
    for entry in load().entries.values():
        for lang, spellings in (("en", (entry.canonical, *entry.en)), ("ko", entry.ko)):
            for v in spellings:
                v = _strip_province(v, entry.label)
                if v in entry.ambiguous or len(v.replace(" ", "")) < 2 or not v[0].isalnum():
                    continue
                out.append((lang, v, entry.id))
    return out


def test_every_variant_resolves_to_its_entity() -> None:
    """Each spelling of each entity, in a carrier sentence, is found with that entity's id."""
    gaz = load()
    failures = []
    variants = _variants()
    assert len(variants) > 3000
    for lang, v, entity_id in variants:
        text = f"They came from {v} last year." if lang == "en" else f"그들은 {v}에서 왔다."
        start = text.index(v)
        q = _QUALIFIER[lang].match(v)
        # a qualified name ("중국 외교부") is marked without its qualifier
        expect_start = start + q.end() if q and any(e.start == start + q.end() for e in gaz.find(text, lang)) else start
        found = [e for e in gaz.find(text, lang) if (e.start, e.end) == (expect_start, start + len(v))]
        if not found or found[0].id != entity_id:
            failures.append((v, entity_id, [(e.text, e.id) for e in gaz.find(text, lang)]))
    assert failures == []


def test_gazetteer_lint() -> None:
    assert lint(load_entries()) == []


def test_spacy_component_sets_ents_with_kb_ids() -> None:
    doc = get_nlp("ko", entities=True)("함경북도에서 온 여성들은 두만강을 건넜다.")
    assert [(e.text, e.label_, e.kb_id_) for e in doc.ents] == [
        ("함경북도", "PROVINCE", "KP-09"), ("두만강", "LOC", "loc:tumen-river")]
    doc = get_nlp("en", entities=True)("She crossed the Tumen River into Jilin Province.")
    assert [(e.text, e.kb_id_) for e in doc.ents] == [("Tumen River", "loc:tumen-river"), ("Jilin", "CN-JL")]
