"""Layout: paragraphs and passage kinds from whole documents as users bring them, in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import load
from toolkit.io import read_records
from toolkit.layout import INVISIBLE, is_blank, segment

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "corpora" / "documents"
NB = "\u00a0"

BLOG = (f"HOME\n  • About\n  • Our Work\n{NB}\nWhy the women of Hyesan keep crossing\n{NB}\nBy Jane Doe\n"
        f"March 4, 2021\n{NB}\nWhen the rations stopped in the mid-1990s, the women of Hyesan turned to the "
        f"markets, trading rice and Chinese clothes across the Yalu.\n{NB}\nBrokers in Ryanggang now charge "
        f"up to 20,000 dollars for a crossing, usually paid by relatives already in Seoul.\n{NB}\n0 Comments\n"
        f"Leave a Reply\nCategories\nField Notes\nArchives\nOctober 2024\nRSS Feed\n"
        f"© 2024 Crossing Borders Relief. All rights reserved.\n")
PORTAL = ("전체메뉴\n로그인\n정치\n북한\n중국 공안, 탈북민 60여명 강제북송\n"
          "입력 2024.03.14 10:21 | 수정 2024.03.14 11:02\n"
          "(서울=연합뉴스) 홍길동 기자 = 중국 공안이 지린성 일대에서 붙잡은 탈북민 60여 명을 "
          "북한으로 돌려보낸 것으로 알려졌다.\n"
          "대북 소식통은 이들 대부분이 여성이며 브로커를 통해 한국행을 준비하던 중이었다고 전했다.\n"
          "[사진=연합뉴스]\n"
          "관련기사\n탈북민 입국 3년째 200명 밑돌아\n하나원 수료생 취업률 상승\n"
          "홍길동 기자 hong@example.co.kr\n저작권자 © 연합뉴스, 무단전재 및 재배포 금지\n")
EMAIL = ("Subject: March field update\n\nDear friends,\n\n"
         "When the rations stopped in the mid-1990s, the women of Hyesan turned to the\n"
         "markets. Their husbands were tied to state jobs that paid nothing, so the\n"
         "women traded rice, cigarettes and Chinese clothes across the Yalu, and a few\n"
         "of them began to carry goods for smugglers who worked the river at night.\n\n"
         "Brokers in Ryanggang now charge up to 20,000 dollars for a crossing. Most of\n"
         "that money comes from relatives in Seoul, who pay through a chain of traf-\n"
         "fickers and couriers.\n\n"
         "Unsubscribe | Update your preferences\n")
PDF_TEXT = ("Open Ledger | Livelihoods and Leaving\n\n3. Markets and the ration system\n\n"
            "Until the late 1980s most urban households obtained their staple grain through\n"
            "the public distribution system, under which a working adult was entitled to\n"
            "roughly 700 grams a day. Deliveries became irregular after Soviet subsidies\n"
            "ended in 1991 and had stopped altogether in much of the northeast by 1994, so\n\n"
            "— 12 —\n\fOpen Ledger | Livelihoods and Leaving\n\n"
            "that families in Chongjin and Hamhung turned to the markets for their food and\n"
            "to the smugglers on the Tumen for the goods they sold there.\n\n"
            "1 Interview with a former trader, Seoul, June 2019.\n"
            "2 Ministry of Unification, Settlement Statistics, 2020, p. 15.\n\n"
            "— 13 —\n")
KO_WRAPPED = ("제3장 탈북 요인 분석\n\n1. 경제적 요인\n\n"
              "1990년대 중반 배급제가 무너지면서 함경북도와 양강도의 주민들은 장마당에서\n"
              "생계를 꾸릴 수밖에 없었다. 남성들은 출근을 강요받는 직장에 묶여 있었기\n"
              "때문에 장사는 주로 여성들의 몫이 되었고, 이들 가운데 일부는 국경 너머\n"
              "중국과의 밀무역에 뛰어들었다.1)\n\n"
              "2000년대 들어 국경 통제가 강화되자 도강 비용은 크게 올랐다. 브로커 비용은\n"
              "대부분 한국에 먼저 정착한 가족이 부담했다.\n\n"
              "1) 통일부, 『북한이탈주민 정착 실태』, 2020, 15쪽.\n")


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(b.kind, " ".join(text[b.start : b.end].split())) for b in segment(text)]


@pytest.mark.parametrize(("text", "expected"), [
    (BLOG, [("boilerplate", "HOME"), ("boilerplate", "• About"), ("boilerplate", "• Our Work"),
            ("heading", "Why the women of Hyesan keep crossing"), ("boilerplate", "By Jane Doe"),
            ("boilerplate", "March 4, 2021"), ("body", BLOG.split("\n")[9]), ("body", BLOG.split("\n")[11]),
            *(("boilerplate", x) for x in ("0 Comments", "Leave a Reply", "Categories", "Field Notes", "Archives",
                                           "October 2024", "RSS Feed",
                                           "© 2024 Crossing Borders Relief. All rights reserved."))]),
    (PORTAL, [*(("boilerplate", x) for x in ("전체메뉴", "로그인", "정치", "북한")),
              ("heading", "중국 공안, 탈북민 60여명 강제북송"),
              ("boilerplate", "입력 2024.03.14 10:21 | 수정 2024.03.14 11:02"),
              ("body", PORTAL.split("\n")[6]), ("body", PORTAL.split("\n")[7]),
              *(("boilerplate", x) for x in ("[사진=연합뉴스]", "관련기사", "탈북민 입국 3년째 200명 밑돌아",
                                             "하나원 수료생 취업률 상승", "홍길동 기자 hong@example.co.kr",
                                             "저작권자 © 연합뉴스, 무단전재 및 재배포 금지"))]),
], ids=["blog-nbsp-lines", "ko-portal-one-line-per-paragraph"])
def test_web_layouts(text: str, expected: list[tuple[str, str]]) -> None:
    assert _kinds(text) == expected


def test_hard_wrapped_email_joins_lines_and_hyphens() -> None:
    blocks = [b for b in segment(EMAIL) if b.kind == "body"]
    assert len(blocks) == 3  # "Dear friends," and the two paragraphs
    last = blocks[-1].clean(EMAIL)
    assert "traffickers and couriers." in last.text
    start = last.text.index("traffickers")
    s, e = last.span(start, start + len("traffickers"))
    assert EMAIL[s:e] == "traf-\nfickers"
    assert [b.kind for b in segment(EMAIL)][-1] == "boilerplate"


def test_pdf_text_paragraph_across_page_break_is_one_passage() -> None:
    blocks = segment(PDF_TEXT)
    kinds = [(b.kind, PDF_TEXT[b.start : b.end].split("\n")[0]) for b in blocks]
    body = [b for b in blocks if b.kind == "body"]
    assert len(body) == 1
    para = body[0]
    assert PDF_TEXT[para.start :].startswith("Until the late 1980s")
    assert PDF_TEXT[: para.end].endswith("goods they sold there.")
    assert [PDF_TEXT[s:e] for s, e in para.gaps] == ["— 12 —", "Open Ledger | Livelihoods and Leaving"]
    clean = para.clean(PDF_TEXT).text
    assert "by 1994, so that families" in clean and "Open Ledger" not in clean
    assert para.section == "3. Markets and the ration system"
    assert ("heading", "3. Markets and the ration system") in kinds
    assert [k for k, t in kinds if t.startswith(("1 Interview", "2 Ministry"))] == ["reference", "reference"]
    assert [k for k, t in kinds if t.startswith(("Open Ledger", "— 1"))] == ["boilerplate"] * 4


def test_korean_report_wraps_headings_and_footnotes() -> None:
    got = _kinds(KO_WRAPPED)
    assert [k for k, _ in got] == ["heading", "heading", "body", "body", "reference"]
    assert got[2][1].startswith("1990년대 중반") and got[2][1].endswith("뛰어들었다.1)")
    assert segment(KO_WRAPPED)[2].section == "1. 경제적 요인"


@pytest.mark.parametrize("blank", ["\n\n", f"\n{NB}\n", "\n\u3000\n", "\n\u200b\n", "\r\n \r\n", "\n&nbsp;\n",
                                   "\n \t\u2009\n", "\n\ufeff\n"])
def test_blank_lines_of_any_whitespace(blank: str) -> None:
    first = "The rations stopped in 1994, and the markets took over the work of feeding families."
    second = "배급이 끊긴 뒤 어머니는 장마당에서 국수를 팔아 식구를 먹여 살렸고, 아버지는 직장에 묶여 있었다."
    text = first + blank + second
    assert _kinds(text) == [("body", first), ("body", second)]
    assert is_blank(blank.strip("\r\n") or " ")


def test_one_line_record_stays_body_unless_it_is_chrome() -> None:
    assert [b.kind for b in segment("북한 여자축구 대표팀이 아시안컵 결승에 올랐다.")] == ["body"]
    assert [b.kind for b in segment("Women cross the Tumen for work")] == ["body"]
    assert [b.kind for b in segment("무단전재 및 재배포 금지")] == ["boilerplate"]
    assert [b.kind for b in segment("a b\n\nc", layout=False)] == ["body"]


_PIECES = st.sampled_from([
    "The rations stopped.", "배급이 끊겼다.", "HOME", "• About", "0 Comments", "— 12 —", "Page 3 of 20", "\f",
    "traf-", "ficking grew", "입력 2019.03.14 10:21", "&nbsp;", NB, "\u3000", "\u200b", " ", "\t", "1 See Kim (2019).",
    "References", "a", "장마당", "Open Ledger | Report", "© 2024", "x" * 50, "word " * 20,
])
_DOCS = st.lists(st.tuples(_PIECES, st.sampled_from(["\n", "\n\n", "\r\n", " ", "\n\u00a0\n", ""])),
                 max_size=40).map(lambda parts: "".join(p + sep for p, sep in parts))


@settings(max_examples=300, deadline=None)
@given(_DOCS | st.text(max_size=300))
def test_passages_cover_every_visible_character_once(text: str) -> None:
    blocks = segment(text)
    owner = [0] * len(text)
    last_start = -1
    for b in blocks:
        assert b.start >= last_start  # in order
        last_start = b.start
        assert 0 <= b.start < b.end <= len(text)
        assert text[b.start] not in INVISIBLE and text[b.end - 1] not in INVISIBLE  # tight spans
        inside = [(s, e) for s, e in b.gaps]
        for i in range(b.start, b.end):
            if not any(s <= i < e for s, e in inside):
                owner[i] += 1
        clean = b.clean(text)
        if clean.text:
            s, e = clean.span(0, len(clean.text))
            assert (s, e) == (b.start, b.end)
    for i, ch in enumerate(text):
        if ch in INVISIBLE or is_blank(_line_at(text, i)):  # whitespace, or a lone "&nbsp;" line
            assert owner[i] <= 1
        else:  # a visible character is in exactly one passage
            assert owner[i] == 1, (i, ch)


def _line_at(text: str, i: int) -> str:
    starts = [m.end() for m in re.finditer(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", text[:i])]
    start = starts[-1] if starts else 0
    m = re.search(r"\r\n|[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", text[i:])
    return text[start : i + (m.start() if m else len(text) - i)]


def test_analysis_classifies_body_only_and_keeps_the_rest() -> None:
    result = load().analyze(BLOG)
    rows = [p.to_dict() for p in result.passages]
    assert {r["kind"] for r in rows} == {"body", "heading", "boilerplate"}
    for r in rows:
        if r["kind"] == "body":
            assert set(r["scores"]) == {"structural", "economic", "pull", "network"}
            assert r["section"] == "Why the women of Hyesan keep crossing"
        else:
            assert r["labels"] == [] and "scores" not in r and "evidence" not in r
    assert "economic" in result.passages[[r["kind"] for r in rows].index("body")].labels
    # nothing of the text disappears: every line is in some passage
    covered = "".join(BLOG[p.start : p.end] for p in result.passages)
    assert all(line.strip() in covered for line in BLOG.splitlines() if not is_blank(line))
    # entities come from the article (body and headings), not from the chrome
    assert {e.text for e in result.entities} >= {"Hyesan", "Ryanggang", "Seoul"}


def test_tokens_and_evidence_point_into_the_original_text() -> None:
    result = load(tokens=True).analyze(EMAIL)
    assert result.tokens is not None
    for tok in result.tokens:
        assert EMAIL[tok.start : tok.end] == tok.text
    joined = [t for t in result.tokens if "\n" in t.text]
    assert [t.text for t in joined] == ["traf-\nfickers"] and joined[0].lemma.startswith("traffick")
    for p in result.passages:
        for ev in p.evidence.values():
            for e in ev:
                assert EMAIL[e.start : e.end] == e.text


def _sources() -> list[str]:
    return sorted(p.stem for p in (DOCS / "src").glob("*.json"))


def _clean_body(text: str, blocks: list) -> list[str]:  # type: ignore[type-arg]
    return [" ".join(b.clean(text).text.split()) for b in blocks if b.kind == "body"]


def _formats(source: str) -> tuple[list[str], dict[str, list[str]]]:
    """Gold body paragraphs of a source document, and the body passages nktk finds in each of its files."""
    from toolkit.evaluate import precut_text, read_documents

    docs = [d for split in ("dev", "test") for d in read_documents(DOCS / f"{split}.jsonl")
            if d.meta["doc"] == source]
    assert docs, source
    expected = [precut_text(docs[0], p) for p in docs[0].passages if p["kind"] == "body"]
    paths = [*sorted((DOCS / "files").glob(f"{source}-*.txt")), DOCS / "files" / f"{source}.html",
             DOCS / "files" / f"{source}.pdf"]
    got = {}
    for path in paths:
        record = next(iter(read_records([path])))
        got[path.name] = _clean_body(record.text, segment(record.text))
    return expected, got


@pytest.mark.parametrize("source", ["en-a-03", "en-b-01", "ko-a-01", "ko-b-01"])
def test_one_article_as_txt_html_and_pdf_gives_the_same_body_passages(source: str) -> None:
    """A report, a blog post, a portal article and a Korean report: each of their files gives the gold paragraphs."""
    expected, got = _formats(source)
    assert len(got) == 4
    for name, passages in got.items():
        assert passages == expected, name


def test_the_document_corpus_gives_the_same_body_passages_in_every_format() -> None:
    """Every source document, in each of its files (two text layouts, HTML, PDF), gives back its paragraphs.

    Nearly every gold body paragraph comes back exactly from every file; the
    pages (HTML, PDF) give exactly the gold paragraphs; what the text dumps add
    is page chrome kept as body (a paragraph in doubt is never set aside).
    """
    found = total = extra = 0
    pages_same = pages = 0
    for source in _sources():
        expected, got = _formats(source)
        for name, passages in got.items():
            total += len(expected)
            found += sum(p in set(passages) for p in expected)
            extra += sum(p not in set(expected) for p in passages)
            if not name.endswith(".txt"):
                pages += 1
                pages_same += passages == expected
    assert pages >= 2 * 40
    assert found / total >= 0.995
    assert extra / total <= 0.03
    assert pages_same / pages >= 0.9


def test_pdf_passage_across_a_page_break_names_the_page_it_starts_on() -> None:
    record = next(iter(read_records([DOCS / "files" / "en-a-07.pdf"])))
    result = load().analyze(record)  # type: ignore[arg-type]
    text = record.text  # type: ignore[union-attr]
    across = [p for p in result.passages if p.kind == "body" and "\f" in text[p.start : p.end]]
    assert across, "the report has a paragraph that runs on to the next page"
    starts = [start for start, _ in record.meta["pages"]]  # type: ignore[union-attr]
    for p in across:
        page = sum(s <= p.start for s in starts)
        assert p.meta["page"] == page
        assert text[p.start : p.end].count("\f") == 1
    pages = [p.meta["page"] for p in result.passages]
    assert pages == sorted(pages) and pages[-1] == len(starts)


def test_evaluate_scores_gold_documents(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from toolkit.cli import app

    lines = (DOCS / "dev.jsonl").read_text(encoding="utf-8").splitlines()
    gold = tmp_path / "docs.jsonl"
    gold.write_text("\n".join([lines[0], lines[-1]]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["evaluate", str(gold), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    part = report["all"]
    assert part["documents"] == 2
    assert 0.9 <= part["boundaries"]["article"]["f1"] <= 1.0
    assert part["boilerplate"]["precision"] >= 0.95
    assert part["labelled_boilerplate"] == 0
    assert set(part["factors_documents"]) >= {"structural", "economic", "pull", "network", "macro"}
    assert "factors_precut" in part
    text = CliRunner().invoke(app, ["evaluate", str(gold)]).output
    assert "paragraph boundaries" in text and "pre-cut" in text
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "abc", "passages": [{"start": 0, "end": 9, "kind": "body"}]})
                   + "\n", encoding="utf-8")
    failed = CliRunner().invoke(app, ["evaluate", str(bad)])
    assert failed.exit_code == 1 and "bad.jsonl:1" in failed.output


def test_article_view_greys_what_was_set_aside_and_report_counts_body(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from toolkit.batch import run
    from toolkit.cli import app

    page = tmp_path / "saved.txt"
    page.write_text(BLOG, encoding="utf-8")
    out = tmp_path / "view.html"
    assert CliRunner().invoke(app, ["tag", str(page), "--format", "html", "--out", str(out)]).exit_code == 0
    html = out.read_text(encoding="utf-8")
    assert html.count("class='passage aside boilerplate'") == 13
    assert "2 body passages of 16" in html
    results = tmp_path / "res.jsonl"
    run([str(page)], results, workers=1)
    report = CliRunner().invoke(app, ["report", str(results), "--out", str(tmp_path / "r.html")])
    assert report.exit_code == 0, report.output
    shares = (tmp_path / "r_tables" / "factor_shares.csv").read_text().splitlines()
    assert shares[1].startswith("all,2,")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "2 body passages" in page and "13 boilerplate" in page and "1 heading" in page


@pytest.mark.parametrize("paragraph", [
    "I messaged my sister on KakaoTalk every night that winter, and she told me which broker in Yanji could be "
    "trusted. She sent the money through him.",
    "언니는 매일 밤 카카오톡으로 연락해 왔다. 연길의 어느 브로커를 믿을 수 있는지 알려 주었고, "
    "그 사람을 통해 돈을 보냈다.",
    "정기후원 신청과 물품 후원 문의가 늘면서 쉼터는 올겨울 여성 열두 명을 더 받을 수 있게 되었다. "
    "그중 절반은 중국 농촌에서 팔려 갔던 이들이다.",
    "He crossed without permission twice before the guards caught him in 2011, and each time his family paid a bribe "
    "to get him out of the holding centre.",
])
def test_prose_that_names_a_widget_word_stays_body(paragraph: str) -> None:
    """Words that page chrome uses (KakaoTalk, 후원 문의, without permission) do not set a paragraph of prose aside."""
    doc = f"Menu\nHome\n\n{paragraph}\n\n{paragraph}\n"
    assert [b.kind for b in segment(doc)][-2:] == ["body", "body"]
    assert [b.kind for b in segment(paragraph)] == ["body"]
