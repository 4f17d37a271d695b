"""Rebuild the real-text dev set's passages from its index (Python standard library only).

The passages are third-party text, so git holds only ``index.jsonl``: for each
passage the page it came from, the search query that returned it, its length,
its sha256 and 12-character head and tail anchors (all of the
whitespace-normalised text), and our labels and entity offsets. The text itself
lives in ``cache/`` (git-ignored) and is rebuilt from the search answers:

1. ``python corpora/realdev/rebuild.py queries`` lists the queries, one JSON
   line each with the file its answer goes to. Run each with the project's
   search tool (corpus ``pages``) and save the answer, as returned, to
   ``cache/answers/<file>``.
2. ``python corpora/realdev/rebuild.py build`` finds every passage in the
   saved answers (its page, then its head anchor and length), checks its
   sha256 and writes ``cache/realdev.jsonl``: ANNOTATION.md records that
   ``nktk evaluate`` reads. Rows that cannot be found or do not verify are
   named, and the exit status is 1.
3. ``python corpora/realdev/rebuild.py verify`` checks an existing cache.

Normalisation: Unicode NFC, then every run of whitespace becomes one space,
and leading and trailing space is dropped.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
INDEX = HERE / "index.jsonl"
CACHE = HERE / "cache"
ANCHOR = 12


def normalise(text: str) -> str:
    """The form every length, hash and anchor of the index is computed on."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def digest(text: str) -> str:
    """sha256 of the normalised text, hex."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


def fingerprint(text: str) -> dict[str, Any]:
    """The index fields that identify a passage without holding it."""
    norm = normalise(text)
    return {"sha256": digest(norm), "length": len(norm), "head": norm[:ANCHOR], "tail": norm[-ANCHOR:]}


def answer_file(query: str) -> str:
    """The cache file name of one query's saved answer."""
    return hashlib.sha1(query.encode("utf-8")).hexdigest()[:16] + ".json"


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """Records of a JSON Lines file; a bad line stops with its file and line number."""
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise SystemExit(f"{path}:{n}: not JSON ({exc.msg})") from None


def locate(row: dict[str, Any], results: Iterable[dict[str, Any]]) -> str | None:
    """The passage of ``row`` in a query's results: its page's excerpt, at a head anchor, verified by hash."""
    for result in results:
        if result.get("url") != row["url"]:
            continue
        norm = normalise(result.get("excerpt") or result.get("text") or "")
        at = norm.find(row["head"])
        while at != -1:
            candidate = norm[at : at + row["length"]]
            if candidate.endswith(row["tail"]) and digest(candidate) == row["sha256"]:
                return candidate
            at = norm.find(row["head"], at + 1)
    return None


def record(row: dict[str, Any], text: str) -> dict[str, Any]:
    """An ANNOTATION.md record of one indexed passage."""
    return {"id": row["id"], "lang": row["lang"], "source": row["url"], "genre": row.get("genre"),
            "text": text, "labels": row["labels"], "entities": row["entities"]}


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records atomically (a temporary file renamed into place); the number written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    n = 0
    with tmp.open("w", encoding="utf-8") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            n += 1
    tmp.replace(path)
    return n


def build(index: Path, answers: Path, out: Path) -> list[str]:
    """Rebuild ``out`` from saved answers; the problems found (empty when every row verified)."""
    problems: list[str] = []
    found: list[dict[str, Any]] = []
    cached: dict[str, list[dict[str, Any]]] = {}
    for row in read_jsonl(index):
        name = answer_file(row["query"])
        if name not in cached:
            path = answers / name
            try:
                cached[name] = json.loads(path.read_text(encoding="utf-8")).get("results", [])
            except FileNotFoundError:
                cached[name] = []
            except (json.JSONDecodeError, AttributeError):
                problems.append(f"{path}: not a saved search answer")
                cached[name] = []
        text = locate(row, cached[name])
        if text is None:
            problems.append(f"{row['id']}: not found in the answer to {row['query']!r} ({name})")
        else:
            found.append(record(row, text))
    write_jsonl(out, found)
    return problems


def verify(index: Path, cache: Path) -> list[str]:
    """Check every row of the index against the cache by sha256; the problems found."""
    if not cache.exists():
        return [f"{cache}: no cache; run `rebuild.py build` first"]
    texts = {rec["id"]: rec["text"] for rec in read_jsonl(cache)}
    problems = []
    for row in read_jsonl(index):
        text = texts.get(row["id"])
        if text is None:
            problems.append(f"{row['id']}: missing from {cache.name}")
        elif fingerprint(text) != {k: row[k] for k in ("sha256", "length", "head", "tail")}:
            problems.append(f"{row['id']}: text does not match its sha256")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--index", type=Path, default=INDEX)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("queries", help="the queries to re-run, with their answer files")
    b = sub.add_parser("build", help="rebuild cache/realdev.jsonl from saved answers")
    b.add_argument("--answers", type=Path, default=CACHE / "answers")
    b.add_argument("--out", type=Path, default=CACHE / "realdev.jsonl")
    v = sub.add_parser("verify", help="check cache/realdev.jsonl against the index")
    v.add_argument("--cache", type=Path, default=CACHE / "realdev.jsonl")
    args = parser.parse_args(argv)
    if args.command == "queries":
        seen: dict[str, None] = {}
        for row in read_jsonl(args.index):
            seen.setdefault(row["query"])
        for query in seen:
            print(json.dumps({"query": query, "corpus": "pages", "answer": answer_file(query)}, ensure_ascii=False))
        return 0
    problems = (build(args.index, args.answers, args.out) if args.command == "build"
                else verify(args.index, args.cache))
    rows = sum(1 for _ in read_jsonl(args.index))
    for line in problems:
        print(line, file=sys.stderr)
    print(f"{rows} passages in the index, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
