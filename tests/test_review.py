"""``nktk review`` without a browser: the review log, the queue, the API's safety rules, the server process."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from _review import ROOT, ReviewServer
from starlette.testclient import TestClient

from toolkit.analyzer import Analyzer
from toolkit.errors import OutputError
from toolkit.evaluate import read_gold
from toolkit.gazetteer import load as load_gazetteer
from toolkit.layout import segment
from toolkit.results import Passage
from toolkit.review.app import MAX_BODY, create_app
from toolkit.review.log import ReviewLog, events, resolve
from toolkit.review.queue import Item, Segments, build, items_of
from toolkit.review.session import ReviewSession

SAMPLES = ["corpora/samples/en-blog-saved-page.txt", "corpora/samples/ko-portal-saved-page.txt"]
TOKEN = "test-token-0123456789abcdef"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(with_text=True)


@pytest.fixture(scope="module")
def items(analyzer: Analyzer) -> list[Item]:
    return build([str(ROOT / s) for s in SAMPLES], analyzer=analyzer, thresholds=_thresholds(analyzer))


def _thresholds(analyzer: Analyzer) -> dict[str, float]:
    return {lab: float(t) for lab, t in zip(analyzer.model.labels, analyzer.model.thresholds, strict=True)}


def _client(items: list[Item], out: Path, analyzer: Analyzer) -> tuple[TestClient, ReviewSession]:
    log = ReviewLog(out).open()
    session = ReviewSession(items, log, model="bundled", thresholds=_thresholds(analyzer), gazetteer=load_gazetteer())
    client = TestClient(create_app(session, TOKEN), base_url="http://127.0.0.1")
    client.headers["X-Nktk-Token"] = TOKEN
    return client, session


# --- the log -------------------------------------------------------------------------------------------


def _rec(rid: str, labels: list[str]) -> dict[str, Any]:
    return {"id": rid, "lang": "en", "text": "t", "labels": labels, "entities": [], "meta": {"reviewed_at": "x"}}


def test_the_log_replays_saves_retractions_and_re_saves_like_resolve(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    with ReviewLog(out) as log:
        log.save(_rec("a", ["pull"]))
        log.save(_rec("b", []))
        log.save(_rec("a", ["economic"]))  # a second save of a
        assert log.retract_last() is not None and log.last() is not None
        assert log.saved["a"]["labels"] == ["pull"]  # the first save of a stands again
        assert log.retract_last()["id"] == "b"  # undo goes back through saves in the order they were made
    lines = out.read_text().splitlines()
    assert len(lines) == 5 and [json.loads(x).get("retract") for x in lines] == [None, None, None, True, True]
    with ReviewLog(out) as again:  # a restart sees the same state
        assert again.saved == {"a": _rec("a", ["pull"])} and again.last() == _rec("a", ["pull"])
    assert resolve(e for _, e in events(out)) == [_rec("a", ["pull"])]


def test_a_line_cut_by_a_crash_is_dropped_and_the_next_save_starts_a_line(tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    out.write_text(json.dumps(_rec("a", [])) + "\n" + '{"id": "b", "lang": "en", "te')
    with ReviewLog(out) as log:
        assert set(log.saved) == {"a"}
        log.save(_rec("c", []))
    assert [e["id"] for _, e in events(out)] == ["a", "c"]
    assert [r.id for r in read_gold(out)] == ["a", "c"]


def test_a_failed_write_is_one_error_and_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "r.jsonl"
    with ReviewLog(out) as log:
        def full(fd: int, data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

        log.save(_rec("a", []))
        real_write = os.write

        def half(fd: int, data: bytes) -> int:  # half the line reaches the file, then the disk is full
            monkeypatch.setattr(os, "write", full)
            return real_write(fd, bytes(data[: len(data) // 2]))

        monkeypatch.setattr(os, "write", half)
        with pytest.raises(OutputError, match=r"cannot write \(No space left on device\); the passage was not saved"):
            log.save(_rec("b", []))
        assert set(log.saved) == {"a"} and log.last() == _rec("a", [])
    assert [e["id"] for _, e in events(out)] == ["a"]  # the half line was taken back


# --- the queue -----------------------------------------------------------------------------------------


def test_items_are_the_body_passages_of_messy_pages_with_context_and_offsets_into_their_text(
        items: list[Item], analyzer: Analyzer) -> None:
    en = [it for it in items if it.record.endswith("en-blog-saved-page.txt")]
    ko = [it for it in items if it.record.endswith("ko-portal-saved-page.txt")]
    assert len(en) >= 6 and len(ko) >= 4
    text = (ROOT / SAMPLES[0]).read_text(encoding="utf-8")
    analysis = analyzer.analyze_batch([_record(SAMPLES[0])])[0]
    kinds = [p.kind for p in analysis.passages]  # type: ignore[union-attr]
    for it in en:
        assert kinds[it.index] == "body" and it.id == f"{it.record}:{it.index}"
        assert "Posted by" not in it.text and "Home /" not in it.text  # menus and bylines are not reviewed
    assert en[0].text.startswith("Our field team") and en[0].title.startswith("Field notes")
    assert en[1].before is not None and en[1].before.startswith("Mi-ok")  # the heading above, greyed
    assert all(it.entities for it in en[:2])
    for it in items:
        for e in it.entities:
            assert it.text[e["start"] : e["end"]] == e["text"]
        for spans in it.evidence.values():
            assert all(0 <= s < e <= len(it.text) for s, e in spans)
    assert "무단전재" not in " ".join(it.text for it in ko) and ko[0].title.startswith("中, 지린성")
    assert len(text) > 0


def _record(path: str) -> Any:
    from toolkit.io import Record

    return Record(str(ROOT / path), (ROOT / path).read_text(encoding="utf-8"), {})


def test_uncertain_order_puts_the_scores_nearest_their_thresholds_first(items: list[Item],
                                                                        analyzer: Analyzer) -> None:
    cut = _thresholds(analyzer)
    ordered = build([str(ROOT / s) for s in SAMPLES], analyzer=analyzer, order="uncertain", thresholds=cut)
    margins = [it.uncertainty(cut) for it in ordered]
    assert margins == sorted(margins) and sorted(it.id for it in ordered) == sorted(it.id for it in items)
    assert [it.position for it in ordered] == list(range(len(ordered)))


def test_a_running_header_inside_a_paragraph_is_left_out_of_its_text() -> None:
    text = "The ration stopped in 1995 and the\nPAGE 3 HEADER\nmarkets grew in Hyesan."
    gap = (text.index("PAGE"), text.index("HEADER") + len("HEADER\n"))
    seg = Segments(text, Passage(0, len(text), "en", gaps=(gap,)))
    assert seg.text == "The ration stopped in 1995 and the\nmarkets grew in Hyesan."
    start = text.index("Hyesan")
    local = seg.local(start, start + 6)
    assert local is not None and seg.text[local[0] : local[1]] == "Hyesan"
    assert seg.local(gap[0], gap[0] + 4) is None  # inside the header: not in the passage


def test_a_whole_record_of_one_body_passage_is_one_item(analyzer: Analyzer) -> None:
    from toolkit.io import Record

    text = "After the rations stopped, women in Hyesan traded at the market."
    res = analyzer.analyze_batch([Record("r1", text, {"source": "notes"})])[0]
    [item] = items_of(res, text)  # type: ignore[arg-type]
    assert (item.id, item.text, item.source, item.before, item.after) == ("r1:0", text, "notes", None, None)
    assert len(segment(text)) == 1


# --- the API -------------------------------------------------------------------------------------------


def test_every_request_needs_the_token(items: list[Item], analyzer: Analyzer, tmp_path: Path) -> None:
    client, _ = _client(items, tmp_path / "r.jsonl", analyzer)
    bare = TestClient(client.app, base_url="http://127.0.0.1")
    for path in ("/", "/api/state", "/static/review.js", "/api/gazetteer?q=seoul"):
        assert bare.get(path).status_code == 403
        assert bare.get(path, headers={"X-Nktk-Token": TOKEN[:-1] + "x"}).status_code == 403
    assert bare.post("/api/save", json={"id": items[0].id, "labels": []}).status_code == 403
    assert bare.get("/?token=" + TOKEN).status_code == 200
    assert bare.get("/static/review.css", params={"token": TOKEN}).status_code == 200
    assert client.get("/api/state").status_code == 200
    assert not (tmp_path / "r.jsonl").read_text()  # nothing was saved by the refused POST


def test_the_page_names_only_its_own_resources_and_forbids_others(items: list[Item], analyzer: Analyzer,
                                                                    tmp_path: Path) -> None:
    client, _ = _client(items, tmp_path / "r.jsonl", analyzer)
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert page.headers["referrer-policy"] == "no-referrer"
    for asset in ("/", "/static/review.js", "/static/review.css"):
        body = client.get(asset).text
        assert "http://" not in body and "https://" not in body and "//fonts" not in body
    assert items[0].text[:30] not in page.text  # article text only travels as JSON data
    assert "innerHTML" not in client.get("/static/review.js").text


def test_a_foreign_host_header_is_refused(items: list[Item], analyzer: Analyzer, tmp_path: Path) -> None:
    client, _ = _client(items, tmp_path / "r.jsonl", analyzer)
    assert client.get("/api/state", headers={"host": "evil.example:80"}).status_code == 400


@pytest.mark.parametrize(("body", "ctype", "status", "message"), [
    ('{"id": "ID", "labels": ["economic"]}', "text/plain", 400, "Content-Type"),
    ("{not json", "application/json", 400, "not JSON"),
    ('["a list"]', "application/json", 400, "JSON object"),
    ('{"id": "ID", "labels": ["famine"]}', "application/json", 400, "unknown factor label"),
    ('{"id": "nope:0", "labels": []}', "application/json", 400, "no passage"),
    ('{"id": "ID", "labels": "economic"}', "application/json", 400, "'labels' must be a list"),
    ('{"id": "ID", "labels": [], "entities": [{"start": 0, "end": 99999, "label": "LOC"}]}',
     "application/json", 400, "outside the passage"),
    ('{"id": "ID", "labels": [], "entities": [{"start": "0", "end": 3, "label": "LOC"}]}',
     "application/json", 400, "must be integers"),
    ('{"id": "ID", "labels": [], "entities": [{"start": 0, "end": 3, "label": "PERSON"}]}',
     "application/json", 400, "unknown entity label"),
    ('{"id": "ID", "labels": [], "entities": [{"start": 0, "end": 3, "label": "LOC", "id": "XX-99"}]}',
     "application/json", 400, "unknown gazetteer id"),
])
def test_bad_bodies_are_400_with_a_json_error_and_save_nothing(items: list[Item], analyzer: Analyzer,
                                                                tmp_path: Path, body: str, ctype: str,
                                                                status: int, message: str) -> None:
    client, _ = _client(items, tmp_path / "r.jsonl", analyzer)
    r = client.post("/api/save", content=body.replace("ID", items[0].id).encode(),
                    headers={"Content-Type": ctype})
    assert r.status_code == status and message in r.json()["error"]
    assert (tmp_path / "r.jsonl").read_text() == ""


def test_an_oversized_body_is_413(items: list[Item], analyzer: Analyzer, tmp_path: Path) -> None:
    client, _ = _client(items, tmp_path / "r.jsonl", analyzer)
    big = json.dumps({"id": items[0].id, "labels": [], "pad": "x" * MAX_BODY})
    r = client.post("/api/save", content=big.encode(), headers={"Content-Type": "application/json"})
    assert r.status_code == 413 and "limit" in r.json()["error"]


def test_save_skip_undo_through_the_api_append_annotation_records(items: list[Item], analyzer: Analyzer,
                                                                  tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    client, session = _client(items, out, analyzer)
    first = client.get("/api/state").json()
    assert first["item"]["id"] == items[0].id and first["progress"]["reviewed"] == 0
    ent = items[0].entities[0]
    r = client.post("/api/save", json={"id": items[0].id, "labels": ["economic", "network"],
                                       "entities": [{"start": ent["start"], "end": ent["end"], "label": ent["label"],
                                                     "canonical": "whatever the box said", "id": ent["id"]}]})
    assert r.status_code == 200 and float(r.headers["server-timing"].split("dur=")[1]) < 100
    state = r.json()
    assert state["item"]["id"] == items[1].id and state["progress"]["reviewed"] == 1 and state["can_undo"]
    [saved] = [json.loads(x) for x in out.read_text().splitlines()]
    assert saved["id"] == items[0].id and saved["labels"] == ["economic", "network"]
    assert saved["text"] == items[0].text and saved["doc"] == items[0].record and saved["lang"] == "en"
    assert saved["entities"][0]["canonical"] == ent["canonical"]  # an id fixes the canonical name
    assert saved["meta"]["model"]["labels"] == list(items[0].labels) and saved["meta"]["reviewed_at"].endswith("Z")
    assert set(saved["meta"]["model"]["scores"]) == {"structural", "economic", "pull", "network"}
    gold = read_gold(out)[0]
    assert gold.labels == ["economic", "network"] and gold.entities is not None

    assert client.post("/api/skip", json={"id": items[1].id}).json()["item"]["id"] == items[2].id
    undone = client.post("/api/undo", json={}).json()
    assert undone["undone"] == items[0].id and undone["item"]["id"] == items[0].id
    assert undone["draft"]["labels"] == ["economic", "network"] and undone["progress"]["reviewed"] == 0
    assert json.loads(out.read_text().splitlines()[-1]) | {"meta": None} == {"id": items[0].id, "retract": True,
                                                                             "meta": None}
    assert read_gold(out) == []
    # a Korean entity added by the reviewer: canonical name and id from the gazetteer
    ko = next(it for it in items if it.lang == "ko" and "지린성" in it.text)
    start = ko.text.index("지린성")
    client.post("/api/save", json={"id": ko.id, "labels": ["pull"],
                                   "entities": [{"start": start, "end": start + 3, "label": "PROVINCE",
                                                 "canonical": "지린성"}]})
    rec = session.log.saved[ko.id]
    assert rec["entities"] == [{"start": start, "end": start + 3, "text": "지린성", "label": "PROVINCE",
                                "canonical": "Jilin", "id": "CN-JL"}]


def test_skipped_passages_come_back_when_the_others_are_done(items: list[Item], analyzer: Analyzer,
                                                              tmp_path: Path) -> None:
    client, _ = _client(items[:3], tmp_path / "r.jsonl", analyzer)
    client.post("/api/skip", json={"id": items[0].id})
    client.post("/api/save", json={"id": items[1].id, "labels": []})
    state = client.post("/api/save", json={"id": items[2].id, "labels": []}).json()
    assert state["item"]["id"] == items[0].id and state["progress"]["skipped"] == 0
    state = client.post("/api/save", json={"id": items[0].id, "labels": []}).json()
    assert state["item"] is None and state["progress"]["reviewed"] == 3


def test_gazetteer_search_finds_one_entity_in_either_language(items: list[Item], analyzer: Analyzer,
                                                              tmp_path: Path) -> None:
    client, _ = _client(items, tmp_path / "r.jsonl", analyzer)
    for query in ("함북", "함경북도", "North Hamgyong", "hamgyong-pukto"):
        found = client.get("/api/gazetteer", params={"q": query}).json()["results"]
        assert "KP-09" in [r["id"] for r in found[:3]], query
    assert client.get("/api/gazetteer", params={"q": "통일부", "label": "ORG"}).json()["results"][0]["id"] == "org:mou"
    assert client.get("/api/gazetteer", params={"q": ""}).json()["results"] == []


def test_agreement_counts_the_factor_decisions_the_reviewer_kept(items: list[Item], analyzer: Analyzer,
                                                                 tmp_path: Path) -> None:
    client, _ = _client(items, tmp_path / "r.jsonl", analyzer)
    a, b = items[0], items[1]
    client.post("/api/save", json={"id": a.id, "labels": list(a.labels)})  # all four kept
    flipped = [f for f in ("structural", "economic", "pull", "network") if (f in b.labels) != (f == "pull")]
    state = client.post("/api/save", json={"id": b.id, "labels": flipped}).json()  # one of four changed
    assert state["progress"]["agreement"] == pytest.approx(7 / 8) and state["progress"]["same_labels"] == 0.5


# --- the server process ----------------------------------------------------------------------------------


def _text_file(tmp_path: Path) -> str:
    path = tmp_path / "article.txt"
    path.write_text("Border towns\n\nAfter the rations stopped, women in Hyesan traded at the market.\n\n"
                    "A broker in Yanji took them across the Tumen River for a fee their relatives paid.\n\n"
                    "중국 공안에 붙잡힌 탈북민들은 북송되어 보위부 조사를 받았다.\n", encoding="utf-8")
    return str(path)


@pytest.mark.slow
def test_the_server_prints_one_line_resumes_refuses_a_second_and_exits_0_on_sigterm(tmp_path: Path) -> None:
    article, out = _text_file(tmp_path), tmp_path / "my.jsonl"
    with ReviewServer([article], out) as server:
        page = httpx.get(server.url)
        assert page.status_code == 200 and "nktk review" in page.text
        state = httpx.get(server.base + "/api/state", headers=server.headers()).json()
        assert state["progress"]["total"] == 3
        httpx.post(server.base + "/api/save", headers=server.headers(),
                   json={"id": state["item"]["id"], "labels": ["economic"]})
        second = subprocess.run([sys.executable, "-m", "toolkit", "review", article, "--out", str(out),
                                 "--no-browser"], cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert second.returncode == 1 and second.stdout == ""
        assert second.stderr.count("\n") == 1 and "another nktk run" in second.stderr
        assert server.stop(signal.SIGTERM) == 0
    assert server.stdout_rest == "" and "Traceback" not in server.stderr  # exactly one line on stdout
    assert not out.with_name("my.jsonl.nktk-lock").exists()
    with ReviewServer([article], out) as again:  # resumes after the saved passage
        state = httpx.get(again.base + "/api/state", headers=again.headers()).json()
        assert state["progress"]["reviewed"] == 1 and state["item"]["id"].endswith(":2")
        assert again.stop(signal.SIGINT) == 0
    assert "Traceback" not in again.stderr and "KeyboardInterrupt" not in again.stderr


def test_a_port_in_use_is_one_line(tmp_path: Path, runner: Any) -> None:
    from toolkit.cli import app
    from toolkit.review.server import bind

    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    try:
        result = runner.invoke(app, ["review", _text_file(tmp_path), "--out", str(tmp_path / "o.jsonl"),
                                     "--no-browser", "--port", str(port)])
    finally:
        sock.close()
    assert result.exit_code == 1 and "already in use" in result.output and "Traceback" not in result.output


def test_an_unreadable_review_file_is_one_line(tmp_path: Path, runner: Any) -> None:
    from toolkit.cli import app

    out = tmp_path / "o.jsonl"
    out.write_text("not json\n" + json.dumps(_rec("a", [])) + "\n")
    result = runner.invoke(app, ["review", _text_file(tmp_path), "--out", str(out), "--no-browser"])
    assert result.exit_code == 1 and f"{out}:1: not a review record" in result.output


def test_connections_are_tcp_so_asyncio_turns_nagle_off() -> None:
    import socket

    from toolkit.review.server import bind

    sock = bind("127.0.0.1", 0)
    try:  # a socket made without its protocol number got no TCP_NODELAY: 40 ms on every save in Chromium
        assert sock.proto == socket.IPPROTO_TCP
    finally:
        sock.close()


@pytest.mark.slow
def test_kill_9_after_a_save_loses_nothing_saved_and_the_restart_takes_the_lock_over(tmp_path: Path) -> None:
    article, out = _text_file(tmp_path), tmp_path / "my.jsonl"
    with ReviewServer([article], out) as server:
        for _ in range(2):
            state = httpx.get(server.base + "/api/state", headers=server.headers()).json()
            r = httpx.post(server.base + "/api/save", headers=server.headers(),
                           json={"id": state["item"]["id"], "labels": ["network"]})
            assert r.status_code == 200
        assert server.stop(signal.SIGKILL) == -signal.SIGKILL  # no clean-up ran
    assert out.with_name("my.jsonl.nktk-lock").exists()
    with ReviewServer([article], out) as again:
        state = httpx.get(again.base + "/api/state", headers=again.headers()).json()
        assert state["progress"]["reviewed"] == 2 and state["item"]["id"].endswith(":3")
    assert [e["labels"] for _, e in events(out)] == [["network"], ["network"]]


def test_a_selection_is_named_from_the_gazetteer_only_when_it_is_a_name_of_that_entry(
        items: list[Item], analyzer: Analyzer, tmp_path: Path) -> None:
    client, _ = _client(items, tmp_path / "r.jsonl", analyzer)
    exact = client.get("/api/gazetteer", params={"q": "함북"}).json()["results"]
    assert exact[0]["id"] == "KP-09" and exact[0]["exact"] is True
    part = client.get("/api/gazetteer", params={"q": "Hamg"}).json()["results"]  # only the start of names
    assert part and not any(r["exact"] for r in part)


def test_nothing_to_review_is_one_line_and_leaves_no_empty_file(tmp_path: Path, runner: Any) -> None:
    from toolkit.cli import app

    empty, out = tmp_path / "menu.txt", tmp_path / "o.jsonl"
    empty.write_text("Home\nAbout\nContact\n© 2024 Example\n", encoding="utf-8")
    result = runner.invoke(app, ["review", str(empty), "--out", str(out), "--no-browser"])
    assert result.exit_code == 1 and "no body passage to review" in result.output
    assert not out.exists()
