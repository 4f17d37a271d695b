"""Results as tables: one row per passage, for CSV and Parquet outputs."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..extras import require
from .write import atomic_write_text

FACTORS = ("structural", "economic", "pull", "network")
COLUMNS = ("id", "lang", "passage", "start", "end", "passage_lang", "kind", "section", "page", "labels",
           *(f"score_{f}" for f in FACTORS), "evidence", "entities", "meta", "error")


def rows(results: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Flatten result records into passage rows (an error record gives one row with ``error``).

    Entities are listed on the passage that contains them, as ``canonical|label|id`` joined by ``; ``.
    """
    for rec in results:
        if "error" in rec:
            yield {c: None for c in COLUMNS} | {"id": rec["id"], "error": rec["error"]}
            continue
        meta = json.dumps(rec.get("meta", {}), ensure_ascii=False)
        passages = rec.get("passages") or [None]
        for n, p in enumerate(passages, 1):
            row: dict[str, Any] = {c: None for c in COLUMNS}
            row.update(id=rec["id"], lang=rec.get("lang"), meta=meta)
            if p is not None:
                ents = [e for e in rec.get("entities", []) if p["start"] <= e["start"] < p["end"]]
                row.update(
                    passage=n, start=p["start"], end=p["end"], passage_lang=p["lang"],
                    kind=p.get("kind", "body"), section=p.get("section"), page=p.get("meta", {}).get("page"),
                    labels=";".join(p["labels"]),
                    evidence=json.dumps(p.get("evidence", {}), ensure_ascii=False),
                    entities="; ".join(f"{e['canonical']}|{e['label']}|{e['id'] or ''}" for e in ents),
                )
                for f in FACTORS:
                    row[f"score_{f}"] = p.get("scores", {}).get(f)
            yield row


def read_results(path: Path) -> Iterator[dict[str, Any]]:
    """Result records from a JSONL batch output (streaming)."""
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def write_table(log: Path, out: Path, fmt: str) -> None:
    """Convert a JSONL results log into a CSV or Parquet table at ``out`` (atomically).

    Parquet needs the ``nktk[parquet]`` extra (pyarrow); without it, a one-line ConfigError says so.
    """
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows(read_results(log)))
        atomic_write_text(out, buf.getvalue())
        return
    pq = require("pyarrow.parquet", "parquet", "writing Parquet tables")
    import pyarrow as pa

    table = pa.Table.from_pylist(list(rows(read_results(log))), schema=_schema(pa))
    tmp = out.with_name(f".{out.name}.tmp")
    pq.write_table(table, tmp)
    tmp.replace(out)


def _schema(pa: Any) -> Any:
    types = {"passage": pa.int32(), "start": pa.int64(), "end": pa.int64(), "page": pa.int32()}
    types |= {f"score_{f}": pa.float64() for f in FACTORS}
    return pa.schema([(c, types.get(c, pa.string())) for c in COLUMNS])


def read_table(path: Path) -> list[dict[str, Any]]:
    """Passage rows back from a CSV or Parquet table."""
    if path.suffix == ".parquet":
        pq = require("pyarrow.parquet", "parquet", "reading Parquet tables")
        return list(pq.read_table(path).to_pylist())
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv_rows(results: Iterable[dict[str, Any]]) -> str:
    """CSV text of result records (``tag --format csv``)."""
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows(rows(results))
    return buf.getvalue()
