"""Convert hand-written corpus markup into ANNOTATION.md records.

Writers mark entities inline as ``[surface](LABEL)`` or
``[surface](LABEL|Canonical Name)``; this script strips the markup, computes
exact character offsets and fills ``canonical`` from the gazetteer (or from the
markup when the gazetteer does not know the name).

Usage: python scripts/markup.py SRC.jsonl [SRC.jsonl ...] --out OUT.jsonl
       python scripts/markup.py SRC.jsonl --check      (validate only)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path

# the canonical name may hold one level of parentheses: Ministry of Foreign Affairs (South Korea)
MARK = re.compile(r"\[([^\[\]]+)\]\((PROVINCE|ORG|LOC)(?:\|((?:[^()]|\([^()]*\))+))?\)")
FACTORS = {"structural", "economic", "pull", "network"}


def convert(raw: dict, where: str) -> dict:
    """Turn one markup record into an annotated record with offsets."""
    text = unicodedata.normalize("NFC", raw["text"])
    out, ents, pos = [], [], 0
    for m in MARK.finditer(text):
        out.append(text[pos : m.start()])
        start = sum(len(p) for p in out)
        surface = m.group(1)
        out.append(surface)
        ent = {"start": start, "end": start + len(surface), "label": m.group(2)}
        if m.group(3):
            ent["canonical"] = m.group(3).strip()
        ents.append(ent)
        pos = m.end()
    out.append(text[pos:])
    plain = "".join(out)
    # a label-like "](ABC" left over is a markup error; a "](" of the text itself ("[name](English name)") is text
    if re.search(r"\]\([A-Z_]{2,}(?:\|[^)]*)?\)", plain):
        raise ValueError(f"{where}: leftover markup in {plain!r}")
    for e in ents:
        s = plain[e["start"] : e["end"]]
        if s != s.strip():
            raise ValueError(f"{where}: entity with surrounding space {s!r}")
    labels = raw.get("labels", [])
    bad = set(labels) - FACTORS
    if bad:
        raise ValueError(f"{where}: unknown labels {sorted(bad)}")
    if raw.get("lang") not in ("en", "ko"):
        raise ValueError(f"{where}: lang must be en or ko")
    rec = {k: v for k, v in raw.items() if k not in ("text", "labels")}
    rec.update(text=plain, labels=sorted(set(labels)), entities=ents)
    return rec


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("src", nargs="+", type=Path)
    ap.add_argument("--out", type=Path)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    recs, ids, errors = [], set(), 0
    for path in args.src:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                rec = convert(json.loads(line), where)
            except (ValueError, KeyError, json.JSONDecodeError) as exc:
                print(f"{where}: {exc}", file=sys.stderr)
                errors += 1
                continue
            if rec["id"] in ids:
                print(f"{where}: duplicate id {rec['id']}", file=sys.stderr)
                errors += 1
            ids.add(rec["id"])
            recs.append(rec)
    print(f"{len(recs)} records, {errors} errors", file=sys.stderr)
    if args.out and not args.check:
        with args.out.open("w", encoding="utf-8") as fh:
            for rec in recs:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
