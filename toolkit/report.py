"""Corpus overview of batch results: factor shares, entities, factor x province, co-occurrence.

Writes one self-contained HTML page (charts as inline SVG, made with
matplotlib's offline Agg/SVG backend) and the tables behind it as CSV files in
a folder next to the page, ready for a paper's appendix.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any, cast

from .errors import InputError, InputNotFoundError
from .extras import require
from .io import atomic_write_text
from .io.tables import read_results, read_table

FACTORS = ("structural", "economic", "pull", "network")
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")


@dataclass
class _Passage:
    record: str
    lang: str
    labels: tuple[str, ...]
    entities: list[tuple[str, str, str | None]]  # (canonical, label, gazetteer id)
    source: str | None
    year: str | None


@dataclass
class Overview:
    """The numbers of a report; every table is a list of rows (dicts) with a name."""

    records: int = 0
    errors: int = 0
    passages: int = 0
    set_aside: dict[str, int] = field(default_factory=dict)  # passages not counted, by kind
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def _meta_value(meta: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = meta.get(key)
        if value not in (None, ""):
            return str(value)
    return None


def _year(meta: dict[str, Any]) -> str | None:
    value = _meta_value(meta, "year", "date", "published")
    if value is None:
        return None
    m = _YEAR.search(value)
    return m.group(1) if m else None


def _passages_from_jsonl(path: Path, counts: Counter[str]) -> Iterator[_Passage]:
    for rec in read_results(path):
        counts["records"] += 1
        if "error" in rec:
            counts["errors"] += 1
            continue
        meta = rec.get("meta") or {}
        source = _meta_value(meta, "source_name", "publisher", "outlet", "source")
        for p in rec.get("passages", []):
            if p.get("kind", "body") != "body":
                counts[f"kind:{p['kind']}"] += 1
                continue  # headings, page chrome and references are not counted
            ents = [(e["canonical"], e["label"], e.get("id")) for e in rec.get("entities", [])
                    if p["start"] <= e["start"] < p["end"]]
            yield _Passage(rec["id"], p["lang"], tuple(p["labels"]), ents, source, _year(meta))


def _passages_from_table(path: Path, counts: Counter[str]) -> Iterator[_Passage]:
    import json

    seen: set[str] = set()
    for row in read_table(path):
        if row["id"] not in seen:
            seen.add(row["id"])
            counts["records"] += 1
            if row.get("error"):
                counts["errors"] += 1
        if row.get("error") or row.get("passage") in (None, ""):
            continue
        if (row.get("kind") or "body") != "body":
            counts[f"kind:{row['kind']}"] += 1
            continue
        meta = json.loads(row["meta"]) if row.get("meta") else {}
        ents = []
        for item in (row.get("entities") or "").split("; "):
            if item:
                canonical, label, eid = item.rsplit("|", 2)
                ents.append((canonical, label, eid or None))
        labels = tuple(x for x in (row.get("labels") or "").split(";") if x)
        source = _meta_value(meta, "source_name", "publisher", "outlet", "source")
        yield _Passage(row["id"], row["passage_lang"], labels, ents, source, _year(meta))


def overview(results: Path, *, top: int = 20) -> Overview:
    """Compute the report's tables from a batch output (JSONL, CSV or Parquet)."""
    if not results.exists():
        raise InputNotFoundError(f"{results}: no such file")
    counts: Counter[str] = Counter()
    reader = _passages_from_table if results.suffix in (".csv", ".parquet") else _passages_from_jsonl
    try:
        passages = list(reader(results, counts))
    except (ValueError, KeyError) as exc:
        raise InputError(f"{results}: not an nktk batch output ({exc})") from None
    ov = Overview(records=counts["records"], errors=counts["errors"], passages=len(passages),
                  set_aside={k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("kind:")})
    ov.tables["factor_shares"] = _shares(passages, lambda p: "all") + _shares(passages, lambda p: p.lang)
    sources = {p.source for p in passages if p.source}
    if 1 < len(sources) <= 40:
        ov.tables["factor_shares_by_source"] = _shares(passages, lambda p: p.source or "(none)")
    if any(p.year for p in passages):
        ov.tables["factor_shares_by_year"] = sorted(_shares(passages, lambda p: p.year or "(none)"),
                                                    key=lambda r: r["group"])
    for label, name in (("PROVINCE", "top_provinces"), ("ORG", "top_organizations"), ("LOC", "top_places")):
        ov.tables[name] = _top_entities(passages, label, top)
    ov.tables["factor_by_province"] = _factor_by_region(passages, top)
    ov.tables["factor_cooccurrence"] = _cooccurrence(passages)
    return ov


def _shares(passages: Iterable[_Passage], key: Any) -> list[dict[str, Any]]:
    groups: dict[str, list[_Passage]] = defaultdict(list)
    for p in passages:
        groups[key(p)].append(p)
    rows = []
    for group, ps in sorted(groups.items()):
        row: dict[str, Any] = {"group": group, "passages": len(ps)}
        for f in FACTORS:
            row[f] = round(sum(f in p.labels for p in ps) / len(ps), 4)
        row["none"] = round(sum(not p.labels for p in ps) / len(ps), 4)
        rows.append(row)
    return rows


def _top_entities(passages: list[_Passage], label: str, top: int) -> list[dict[str, Any]]:
    mentions: Counter[str] = Counter()
    records: dict[str, set[str]] = defaultdict(set)
    for p in passages:
        for canonical, lab, _ in p.entities:
            if lab == label:
                mentions[canonical] += 1
                records[canonical].add(p.record)
    return [{"canonical": c, "mentions": n, "records": len(records[c])} for c, n in mentions.most_common(top)]


def _factor_by_region(passages: list[_Passage], top: int) -> list[dict[str, Any]]:
    """Factor counts per region of origin: provinces and the cities ranked with them (Pyongyang, Rason)."""
    from .gazetteer import region_ids

    regions = region_ids()
    table: dict[str, Counter[str]] = defaultdict(Counter)
    for p in passages:
        for canonical in {c for c, lab, eid in p.entities if lab == "PROVINCE" or eid in regions}:
            table[canonical]["passages"] += 1
            table[canonical].update(p.labels)
    ranked = sorted(table.items(), key=lambda kv: (-kv[1]["passages"], kv[0]))[:top]
    return [{"province": c, "passages": cnt["passages"], **{f: cnt[f] for f in FACTORS}} for c, cnt in ranked]


def _cooccurrence(passages: list[_Passage]) -> list[dict[str, Any]]:
    return [{"factor": a, **{b: sum(a in p.labels and b in p.labels for p in passages) for b in FACTORS}}
            for a in FACTORS]


def _svg_bars(rows: list[dict[str, Any]], title: str) -> str:
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    # Text stays text in the SVG (svg.fonttype none), so the reader's browser draws Hangul
    # with its own fonts; matplotlib's bundled font has no Hangul glyphs to measure.
    style: dict[str, Any] = {"svg.fonttype": "none", "font.family": ["sans-serif"],
             "font.sans-serif": ["Noto Sans CJK KR", "Malgun Gothic", "AppleGothic", "DejaVu Sans"]}
    with matplotlib.rc_context(cast(Any, style)), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        warnings.filterwarnings("ignore", message="findfont")
        return _draw_bars(plt, rows, title)


def _draw_bars(plt: Any, rows: list[dict[str, Any]], title: str) -> str:
    fig, ax = plt.subplots(figsize=(7, 2.6 + 0.25 * len(rows)))
    groups = [str(r["group"]) for r in rows]
    width = 0.8 / len(FACTORS)
    for i, f in enumerate(FACTORS):
        ax.barh([y + i * width for y in range(len(rows))], [r[f] for r in rows], height=width, label=f)
    ax.set_yticks([y + 0.4 - width / 2 for y in range(len(rows))], groups)
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of passages")
    ax.set_title(title)
    ax.invert_yaxis()
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, frameon=False)
    fig.tight_layout()
    buf = io.StringIO()
    fig.savefig(buf, format="svg")
    plt.close(fig)
    svg = buf.getvalue()
    return svg[svg.index("<svg"):]


def _html_table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "<p>(none)</p>"
    head = "".join(f"<th>{escape(str(k))}</th>" for k in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{escape(_fmt(v))}</td>" for v in r.values()) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _fmt(v: Any) -> str:
    return f"{v:.1%}" if isinstance(v, float) else str(v)


def write_report(results: Path, out: Path, *, top: int = 20) -> Overview:
    """Write the HTML report to ``out`` and its tables as CSV into ``<out stem>_tables/``.

    The charts need the ``nktk[report]`` extra (matplotlib); it is checked
    first, so a missing extra is one line and no half-written report.
    """
    require("matplotlib", "report", "drawing the report's charts")
    ov = overview(results, top=top)
    tables_dir = out.with_name(out.stem + "_tables")
    tables_dir.mkdir(parents=True, exist_ok=True)
    for name, rows in ov.tables.items():
        buf = io.StringIO()
        if rows:
            writer = csv.DictWriter(buf, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        atomic_write_text(tables_dir / f"{name}.csv", buf.getvalue())
    titles = {
        "factor_shares": "Factor shares, overall and per language",
        "factor_shares_by_source": "Factor shares per source",
        "factor_shares_by_year": "Factor shares per year",
        "top_provinces": "Most frequent provinces", "top_organizations": "Most frequent organizations",
        "top_places": "Most frequent other places",
        "factor_by_province": "Factors by region of origin (passages naming a province or a province-level city)",
        "factor_cooccurrence": "Co-occurrence of factors (passages carrying both)",
    }
    css = ("body{font-family:system-ui,'Noto Sans KR',sans-serif;max-width:1000px;margin:24px auto;color:#222}"
           "table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #ccc;padding:3px 8px;"
           "text-align:right}td:first-child,th:first-child{text-align:left}svg{max-width:100%;height:auto}")
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>nktk corpus report</title>"
             f"<style>{css}</style></head><body><h1>Corpus report</h1>",
             f"<p>{escape(str(results))}: {ov.records} records ({ov.errors} errors), {ov.passages} body passages. "
             f"Tables as CSV in <code>{escape(tables_dir.name)}/</code>.</p>",
             "<p class='aside' style='color:#999'>Set aside and not counted: "
             + (", ".join(f"{n} {escape(kind)}" for kind, n in ov.set_aside.items()) or "nothing")
             + " (headings, page chrome and references keep their place in the results, without labels).</p>"]
    for name, rows in ov.tables.items():
        parts.append(f"<h2>{escape(titles.get(name, name))}</h2>")
        if name.startswith("factor_shares") and rows:
            parts.append(_svg_bars(rows, titles.get(name, name)))
        parts.append(_html_table(rows))
    parts.append("</body></html>")
    atomic_write_text(out, "".join(parts))
    return ov
