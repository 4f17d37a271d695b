"""Build corpora/factors and corpora/entities from the writers' markup in corpora/src.

Splits are made by document and by writer, never by sentence: every ``factors-*`` file but
``-b`` (writers with their own styles; ``-i`` to ``-k`` in the shapes of real prose) is the
factor training set; the ``-b`` files (another writer, other styles) give dev (2 docs in 5)
and test (the rest). The entity corpora split by document: even docs dev, odd docs test; their
factor labels also join the training set (their test docs are never factor-tested).
Canonical names come from the gazetteer when it knows the surface, else from the markup.

Usage: python scripts/build_corpora.py
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from markup import convert

from toolkit.gazetteer import Gazetteer, load

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "corpora" / "src"


def canonicalise(rec: dict, gaz: Gazetteer) -> dict:
    """Fill each entity's ``canonical`` (and ``text``) of a converted record from the gazetteer."""
    for ent in rec["entities"]:
        surface = rec["text"][ent["start"] : ent["end"]]
        entry = gaz.lookup(surface, rec["lang"]) or gaz.lookup(surface)  # FBI in Korean text is still the FBI
        written = ent.get("canonical")
        # The gazetteer's canonical name, unless the writer named another entity
        # (중국 외교부: the surface alone would be South Korea's ministry).
        if entry is not None and entry.label == ent["label"] and (
                written is None or (gaz.lookup(written) or entry).id == entry.id):
            ent["canonical"] = entry.canonical
        ent.setdefault("canonical", " ".join(surface.split()))
        ent["text"] = surface
    return rec


def read(name: str) -> list[dict]:
    gaz = load()
    out = []
    for n, line in enumerate((SRC / name).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        rec = canonicalise(convert(json.loads(line), f"{name}:{n}"), gaz)
        out.append({k: rec[k] for k in ("id", "lang", "source", "doc", "text", "labels", "entities")})
    return out


def split_docs(recs: list[dict], keep: callable) -> list[dict]:
    docs: dict[str, list[dict]] = defaultdict(list)
    for rec in recs:
        docs[rec["doc"]].append(rec)
    chosen = [d for i, d in enumerate(sorted(docs)) if keep(i)]
    return [r for d in chosen for r in docs[d]]


def write(path: Path, recs: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for rec in recs:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(f"{path.relative_to(ROOT)}: {len(recs)} records")


def main() -> None:
    train = [r for path in sorted(SRC.glob("factors-*.jsonl")) if not path.stem.endswith("-b")
             for r in read(path.name)]
    held = read("factors-en-b.jsonl") + read("factors-ko-b.jsonl")
    ents = read("entities-en.jsonl") + read("entities-ko.jsonl")
    ent_dev = split_docs(ents, lambda i: i % 2 == 0)
    ent_test = split_docs(ents, lambda i: i % 2 == 1)
    write(ROOT / "corpora/factors/train.jsonl", train + ent_dev + ent_test)
    write(ROOT / "corpora/factors/dev.jsonl", split_docs(held, lambda i: i % 5 in (0, 1)))
    write(ROOT / "corpora/factors/test.jsonl", split_docs(held, lambda i: i % 5 not in (0, 1)))
    write(ROOT / "corpora/entities/dev.jsonl", ent_dev)
    write(ROOT / "corpora/entities/test.jsonl", ent_test)


if __name__ == "__main__":
    main()
