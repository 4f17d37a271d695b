"""Keep the real-text dev set: index collected passages, import labellings, measure agreement.

The passages are third-party text and stay in ``corpora/realdev/cache/``
(git-ignored); ``corpora/realdev/index.jsonl`` and ``labellings/*.jsonl`` hold
only fingerprints, labels and offsets (see ``corpora/realdev/README.md``).

Usage:
  python scripts/realdev.py index cache/picks-*.jsonl        add collected passages to the index
  python scripts/realdev.py labels NAME cache/label-NAME-*.jsonl   import one annotator's markup
  python scripts/realdev.py agreement a b                    Cohen's kappa per factor, entity agreement
  python scripts/realdev.py disagreements a b                passages the two annotators label differently
  python scripts/realdev.py resolve a b cache/resolved-*.jsonl     the index's labels: agreed, else the third reading
  python scripts/realdev.py overlap [-n 8]                   word n-grams a real passage shares with our corpus
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "corpora" / "realdev"))
sys.path.insert(0, str(ROOT))

from build_corpora import canonicalise  # noqa: E402
from markup import convert  # noqa: E402
from rebuild import CACHE, INDEX, fingerprint, normalise, read_jsonl, record, write_jsonl  # noqa: E402
from sklearn.metrics import cohen_kappa_score  # noqa: E402

from toolkit.evaluate import FACTORS  # noqa: E402
from toolkit.gazetteer import load  # noqa: E402

LABELLINGS = INDEX.parent / "labellings"
TEXTS = CACHE / "realdev.jsonl"


def _index() -> list[dict[str, Any]]:
    return list(read_jsonl(INDEX)) if INDEX.exists() else []


def _texts() -> dict[str, str]:
    return {r["id"]: r["text"] for r in read_jsonl(TEXTS)} if TEXTS.exists() else {}


def _save(rows: list[dict[str, Any]], texts: dict[str, str]) -> None:
    write_jsonl(INDEX, rows)
    write_jsonl(TEXTS, (record(r, texts[r["id"]]) for r in rows))
    for lang in ("en", "ko"):
        write_jsonl(CACHE / f"to-label-{lang}.jsonl",
                    ({"id": r["id"], "lang": lang, "text": texts[r["id"]]} for r in rows if r["lang"] == lang))


def add_picks(paths: list[Path]) -> None:
    """Index new picks; a passage already indexed (same sha256) keeps its id and labels."""
    rows, texts = _index(), _texts()
    known = {r["sha256"] for r in rows}
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r["lang"]] = max(counts[r["lang"]], int(r["id"].rsplit("-", 1)[1]))
    for path in paths:
        for pick in read_jsonl(path):
            text = normalise(pick["text"])
            fp = fingerprint(text)
            if fp["sha256"] in known or len(text) < 40:
                continue
            known.add(fp["sha256"])
            counts[pick["lang"]] += 1
            rid = f"real-{pick['lang']}-{counts[pick['lang']]:04d}"
            rows.append({"id": rid, "lang": pick["lang"], "url": pick["url"], "query": pick["query"],
                         "corpus": "pages", "genre": pick.get("genre"), **fp, "labels": [], "entities": []})
            texts[rid] = text
    _save(rows, texts)
    print(f"{INDEX.relative_to(ROOT)}: {len(rows)} passages")


def _convert(raw: dict[str, Any], text: str, where: str, gaz: Any) -> dict[str, Any]:
    """One annotator record (inline markup) as labels and offsets, checked against the passage."""
    rec = canonicalise(convert({"lang": raw.get("lang", "en"), **raw, "text": normalise(raw["text"])}, where), gaz)
    if rec["text"] != text:
        raise ValueError(f"{where}: the text with markup removed is not the passage's text")
    ents = [{k: e[k] for k in ("start", "end", "label", "canonical")} for e in rec["entities"]]
    return {"id": raw["id"], "labels": rec["labels"], "entities": ents}


def import_labels(name: str, paths: list[Path], *, check: bool = False) -> None:
    """Write ``labellings/NAME.jsonl`` from an annotator's markup files (``check``: only validate)."""
    texts, gaz = _texts(), load()
    langs = {r["id"]: r["lang"] for r in _index()}
    out, errors = {}, 0
    for path in paths:
        for n, raw in enumerate(read_jsonl(path), 1):
            where = f"{path.name}:{n}"
            if raw.get("id") not in texts:
                print(f"{where}: unknown id {raw.get('id')!r}", file=sys.stderr)
                errors += 1
                continue
            try:
                out[raw["id"]] = _convert({**raw, "lang": langs[raw["id"]]}, texts[raw["id"]], where, gaz)
            except (ValueError, KeyError) as exc:
                print(exc, file=sys.stderr)
                errors += 1
    missing = sorted(set(texts) - set(out))
    if not check:
        write_jsonl(LABELLINGS / f"{name}.jsonl", (out[i] for i in sorted(out)))
    print(f"labellings/{name}.jsonl: {len(out)} passages, {errors} errors, {len(missing)} not labelled")


def _labelling(name: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in read_jsonl(LABELLINGS / f"{name}.jsonl")}


def kappa(a: list[bool], b: list[bool]) -> float:
    """Cohen's kappa of two binary codings of the same items (1.0 where both give one value throughout)."""
    if not a:
        return float("nan")
    return 1.0 if len(set(a) | set(b)) == 1 else float(cohen_kappa_score(a, b))


def _spans(rec: dict[str, Any], canonical: bool = False) -> set[tuple[Any, ...]]:
    return {(e["start"], e["end"], e["label"], *([e["canonical"]] if canonical else [])) for e in rec["entities"]}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return set(a["labels"]) == set(b["labels"]) and _spans(a, True) == _spans(b, True)


def agreement(first: str, second: str) -> dict[str, Any]:
    """Kappa per factor and entity agreement (F1 of one annotator against the other) per language."""
    a, b = _labelling(first), _labelling(second)
    langs = {r["id"]: r["lang"] for r in _index()}
    report: dict[str, Any] = {}
    for lang in ("en", "ko"):
        ids = sorted(i for i in a if i in b and langs.get(i) == lang)
        if not ids:
            continue
        row: dict[str, Any] = {"passages": len(ids)}
        for f in FACTORS:
            row[f] = round(kappa([f in a[i]["labels"] for i in ids], [f in b[i]["labels"] for i in ids]), 3)
        row["exact label sets"] = round(sum(set(a[i]["labels"]) == set(b[i]["labels"]) for i in ids) / len(ids), 3)
        for key, canon in (("entity F1 (span+label)", False), ("entity F1 (+canonical)", True)):
            tp = sum(len(_spans(a[i], canon) & _spans(b[i], canon)) for i in ids)
            na = sum(len(_spans(a[i], canon)) for i in ids)
            nb = sum(len(_spans(b[i], canon)) for i in ids)
            row[key] = round(2 * tp / (na + nb), 3) if na + nb else 1.0
        report[lang] = row
    return report


def disagreements(first: str, second: str) -> None:
    """``cache/disagree-LANG.jsonl``: passages whose labels or entities differ, both readings shown."""
    a, b, texts = _labelling(first), _labelling(second), _texts()
    langs = {r["id"]: r["lang"] for r in _index()}
    by_lang: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for i in sorted(set(a) & set(b)):
        if not _same(a[i], b[i]):
            by_lang[langs[i]].append({"id": i, "text": texts[i],
                                      "reading_1": _readable(a[i], texts[i]), "reading_2": _readable(b[i], texts[i])})
    for lang, recs in by_lang.items():
        write_jsonl(CACHE / f"disagree-{lang}.jsonl", recs)
        print(f"cache/disagree-{lang}.jsonl: {len(recs)} passages")


def _readable(rec: dict[str, Any], text: str) -> dict[str, Any]:
    return {"labels": rec["labels"], "entities": [
        f"{text[e['start']:e['end']]} ({e['label']}|{e['canonical']})" for e in rec["entities"]]}


def resolve(first: str, second: str, paths: list[Path]) -> None:
    """Set the index's labels: where both readings agree, theirs; else the third reading's."""
    a, b, texts, gaz = _labelling(first), _labelling(second), _texts(), load()
    third: dict[str, dict[str, Any]] = {}
    rows = _index()
    langs = {r["id"]: r["lang"] for r in rows}
    for path in paths:
        for n, raw in enumerate(read_jsonl(path), 1):
            third[raw["id"]] = _convert({**raw, "lang": langs[raw["id"]]}, texts[raw["id"]], f"{path.name}:{n}", gaz)
    unresolved = 0
    for row in rows:
        i = row["id"]
        if i in third:
            final = third[i]
        elif i in a and i in b and _same(a[i], b[i]):
            final = a[i]
        else:
            unresolved += 1
            continue
        row["labels"], row["entities"] = sorted(final["labels"]), final["entities"]
    _save(rows, texts)
    print(f"index: {len(rows) - unresolved} passages labelled, {unresolved} still unresolved")


def overlap(n: int = 8) -> None:
    """Word n-grams shared by a real passage and any of our corpus files (none may be: we never copy)."""
    def grams(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}

    ours: set[tuple[str, ...]] = set()
    for path in [*(ROOT / "corpora" / "src").glob("*.jsonl"), *(ROOT / "corpora" / "documents" / "src").glob("*.json")]:
        ours |= grams(path.read_text(encoding="utf-8"))
    texts = _texts()
    hits = {i: grams(text) & ours for i, text in texts.items()}
    shared = {i: g for i, g in hits.items() if g}
    print(f"{len(shared)} of {len(texts)} real passages share a {n}-word sequence with corpora/src or documents/src")
    for i, g in sorted(shared.items()):
        print(f"  {i}: {len(g)} shared {n}-grams")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = ap.add_subparsers(dest="command", required=True)
    sub.add_parser("index").add_argument("picks", nargs="+", type=Path)
    lab = sub.add_parser("labels")
    lab.add_argument("name")
    lab.add_argument("files", nargs="+", type=Path)
    lab.add_argument("--check", action="store_true", help="validate only, write nothing")
    for name in ("agreement", "disagreements"):
        p = sub.add_parser(name)
        p.add_argument("first")
        p.add_argument("second")
    sub.add_parser("overlap").add_argument("-n", type=int, default=8)
    res = sub.add_parser("resolve")
    res.add_argument("first")
    res.add_argument("second")
    res.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args()
    if args.command == "index":
        add_picks(args.picks)
    elif args.command == "labels":
        import_labels(args.name, args.files, check=args.check)
    elif args.command == "agreement":
        print(json.dumps(agreement(args.first, args.second), indent=1))
    elif args.command == "disagreements":
        disagreements(args.first, args.second)
    elif args.command == "overlap":
        overlap(args.n)
    else:
        resolve(args.first, args.second, args.files)
    return 0


if __name__ == "__main__":
    sys.exit(main())
