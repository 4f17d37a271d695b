"""Lint gazetteer TSV files: columns, unique ids, unique variants, parents exist."""

import csv
import re
import sys
import unicodedata

COLS = ["id", "label", "kind", "parent", "canonical", "en", "ko"]


def key(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[\s'’‘`ʼ\-‐.]", "", unicodedata.normalize("NFC", s))


rows, errors = [], 0
for path in sys.argv[1:]:
    with open(path, encoding="utf-8", newline="") as fh:
        r = csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
        head = next(r)
        if head != COLS:
            print(f"{path}: header must be {COLS}, got {head}")
            errors += 1
            continue
        for n, row in enumerate(r, 2):
            if not row or not "".join(row).strip():
                continue
            if len(row) != len(COLS):
                print(f"{path}:{n}: {len(row)} columns, expected {len(COLS)}")
                errors += 1
                continue
            rows.append((f"{path}:{n}", dict(zip(COLS, row))))
ids = {}
for where, row in rows:
    if row["id"] in ids:
        print(f"{where}: duplicate id {row['id']} (first at {ids[row['id']]})")
        errors += 1
    ids[row["id"]] = where
    if row["label"] not in ("PROVINCE", "ORG", "LOC"):
        print(f"{where}: bad label {row['label']}")
        errors += 1
seen: dict = {}
for where, row in rows:
    if row["parent"] and row["parent"] not in ids:
        print(f"{where}: parent {row['parent']} not defined")
        errors += 1
    variants = [row["canonical"]] + [v.strip() for v in (row["en"] + "|" + row["ko"]).split("|")]
    for v in {v for v in variants if v}:
        amb = v.startswith("?")
        k = key(v.lstrip("?"))
        seen.setdefault(k, []).append((row["id"], amb, where, v))
for k, uses in seen.items():
    owners = {u[0] for u in uses}
    default = {u[0] for u in uses if not u[1]}
    if len(owners) > 1 and len(default) != 1:
        print(f"variant {uses[0][3]!r} on {sorted(owners)} needs '?' on all but one: {[u[2] for u in uses]}")
        errors += 1
print(f"{len(rows)} rows, {errors} errors")
sys.exit(1 if errors else 0)
