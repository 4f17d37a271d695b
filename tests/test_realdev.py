"""The real-text dev set: an index that holds no third-party text, and a rebuild that verifies by sha256."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
REALDEV = ROOT / "corpora" / "realdev"
FACTORS = {"structural", "economic", "pull", "network"}


def _rebuild() -> ModuleType:
    spec = importlib.util.spec_from_file_location("realdev_rebuild", REALDEV / "rebuild.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


rebuild = _rebuild()
INDEX = [json.loads(line) for line in (REALDEV / "index.jsonl").read_text(encoding="utf-8").splitlines() if line]


def _source(url: str) -> str:
    parts = urlsplit(url)
    return parts.netloc.lower().removeprefix("www.") + parts.path.rstrip("/")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_index_size_and_spread(lang: str) -> None:
    rows = [r for r in INDEX if r["lang"] == lang]
    assert len(rows) >= 150
    assert len({_source(r["url"]) for r in rows}) >= 60
    labelled = [r for r in rows if r["labels"] is not None]
    for factor in FACTORS:
        assert sum(factor in r["labels"] for r in labelled) >= 15, factor
    assert sum(not r["labels"] for r in labelled) >= 15  # distractors


def test_index_rows_hold_fingerprints_not_text() -> None:
    ids = [r["id"] for r in INDEX]
    assert len(ids) == len(set(ids))
    assert len({r["sha256"] for r in INDEX}) == len(INDEX)
    for r in INDEX:
        assert set(r) == {"id", "lang", "url", "query", "corpus", "genre", "sha256", "length", "head", "tail",
                          "labels", "entities"}
        assert re.fullmatch(r"real-(en|ko)-\d{4}", r["id"]) and r["id"].split("-")[1] == r["lang"]
        assert re.fullmatch(r"[0-9a-f]{64}", r["sha256"])
        assert len(r["head"]) == len(r["tail"]) == rebuild.ANCHOR < r["length"]
        assert r["url"].startswith(("http://", "https://")) and r["query"] and r["corpus"] == "pages"
        assert set(r["labels"]) <= FACTORS
        for e in r["entities"]:
            assert set(e) == {"start", "end", "label", "canonical"}
            assert 0 <= e["start"] < e["end"] <= r["length"] and e["label"] in {"PROVINCE", "ORG", "LOC"}


def test_no_passage_text_is_committed() -> None:
    """Nothing in git beside the index may hold a passage: only the cache does, and it is ignored."""
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert "corpora/realdev/cache/" in ignored
    listed = subprocess.run(["git", "ls-files", "corpora/realdev"], cwd=ROOT, capture_output=True, text=True,
                            check=True)
    committed = [ROOT / name for name in listed.stdout.split()]
    assert committed and not any("cache" in p.parts for p in committed)
    assert {p.name for p in committed} <= {"index.jsonl", "rebuild.py", "README.md", "COLLECT_BRIEF.md",
                                           "LABEL_BRIEF.md", "RESOLVE_BRIEF.md", "a.jsonl", "b.jsonl"}
    for path in committed:
        if path.name.endswith(".jsonl") and path.name != "index.jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                assert set(json.loads(line)) == {"id", "labels", "entities"}


def _answers(tmp_path: Path, rows: list[dict[str, object]], excerpts: dict[str, str]) -> Path:
    folder = tmp_path / "answers"
    folder.mkdir()
    by_query: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_query.setdefault(str(row["query"]), []).append({"url": str(row["url"]), "excerpt": excerpts[str(row["id"])]})
    for query, results in by_query.items():
        answer = {"corpus": "pages", "query": query, "results": [{"url": "https://elsewhere.example/", "excerpt": "x"},
                                                                 *results]}
        (folder / rebuild.answer_file(query)).write_text(json.dumps(answer), encoding="utf-8")
    return folder


def test_rebuild_finds_and_verifies_passages_in_saved_answers(tmp_path: Path) -> None:
    # Passages written for this test, inside excerpts laid out as search answers are (line breaks, menus).
    passages = {"real-en-0001": "After the rations stopped, my mother sold noodles at the market.",
                "real-ko-0001": "배급이 끊긴 뒤 어머니는 장마당에서 국수를 팔았다."}
    rows = []
    for rid, text in passages.items():
        rows.append({"id": rid, "lang": rid.split("-")[1], "url": f"https://example.org/{rid}", "query": f"q {rid}",
                     "corpus": "pages", "genre": "blog", **rebuild.fingerprint(text), "labels": ["economic"],
                     "entities": []})
    index = tmp_path / "index.jsonl"
    index.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    wrapped = {rid: "Home | About\n\n" + text.replace(" ", "\n", 2).replace(" ", "  ", 1) + "\nShare this"
               for rid, text in passages.items()}
    out = tmp_path / "cache" / "realdev.jsonl"
    assert rebuild.build(index, _answers(tmp_path, rows, wrapped), out) == []
    rebuilt = {r["id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert {rid: r["text"] for rid, r in rebuilt.items()} == passages
    assert rebuilt["real-ko-0001"]["labels"] == ["economic"] and rebuilt["real-ko-0001"]["source"].startswith("https")
    assert rebuild.verify(index, out) == []
    assert rebuild.main(["--index", str(index), "verify", "--cache", str(out)]) == 0


def test_rebuild_names_what_it_cannot_verify(tmp_path: Path) -> None:
    text = "A cousin who had reached Seoul paid the broker."
    row = {"id": "real-en-0001", "lang": "en", "url": "https://example.org/a", "query": "q", "corpus": "pages",
           "genre": "news", **rebuild.fingerprint(text), "labels": [], "entities": []}
    index = tmp_path / "index.jsonl"
    index.write_text(json.dumps(row) + "\n", encoding="utf-8")
    changed = text.replace("cousin", "cousen")  # the page changed since it was indexed
    problems = rebuild.build(index, _answers(tmp_path, [row], {"real-en-0001": changed}), tmp_path / "out.jsonl")
    assert problems == ["real-en-0001: not found in the answer to 'q' (" + rebuild.answer_file("q") + ")"]
    cache = tmp_path / "cache.jsonl"
    cache.write_text(json.dumps({"id": "real-en-0001", "text": changed}) + "\n", encoding="utf-8")
    assert rebuild.verify(index, cache) == ["real-en-0001: text does not match its sha256"]
    assert rebuild.main(["--index", str(index), "verify", "--cache", str(cache)]) == 1


def test_normalisation_is_whitespace_and_nfc_only() -> None:
    assert rebuild.normalise(" a\u00a0b\n\n c\t") == "a b c"
    assert rebuild.normalise("e\u0301") == "\u00e9"
    assert rebuild.digest("x  y") == rebuild.digest("x\ny")
