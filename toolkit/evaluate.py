"""Scoring against gold records in the ANNOTATION.md format: entities and factors.

Entity scores are given strict (same span and label) and overlap (same label,
spans overlap; matched one to one), per label and per language. Factor scores
are per-factor precision, recall and F1, with micro and macro averages, per
language. Only keys that a gold record carries are scored: a record without
``entities`` is not entity-annotated, one without ``labels`` not factor-annotated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, InputNotFoundError

FACTORS = ("structural", "economic", "pull", "network")
ENTITY_LABELS = ("PROVINCE", "ORG", "LOC")


@dataclass
class Counts:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, other: Counts) -> None:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn

    def scores(self) -> dict[str, float | int]:
        """Precision, recall, F1 (0 where undefined) and the support (gold count)."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4),
                "support": self.tp + self.fn}


@dataclass
class GoldRecord:
    """One gold record: text, language, and the annotations it carries (``None`` = not annotated)."""

    id: str
    lang: str
    text: str
    labels: list[str] | None
    entities: list[dict[str, Any]] | None
    meta: dict[str, Any] = field(default_factory=dict)


def read_gold(path: Path) -> list[GoldRecord]:
    """Read gold JSONL; a malformed line is an :class:`InputError` naming file and line."""
    if not path.exists():
        raise InputNotFoundError(f"{path}: no such file")
    out: list[GoldRecord] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            text = obj["text"]
            lang = obj.get("lang") or ""
            labels = obj.get("labels")
            ents = obj.get("entities")
            if not isinstance(text, str):
                raise TypeError("text is not a string")
            if labels is not None and not set(labels) <= set(FACTORS):
                raise ValueError(f"unknown labels {sorted(set(labels) - set(FACTORS))}")
            for e in ents or []:
                if text[e["start"] : e["end"]] == "" or e["label"] not in ENTITY_LABELS:
                    raise ValueError(f"bad entity {e}")
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}:{n}: not a gold record ({exc})") from None
        meta = {k: v for k, v in obj.items() if k not in ("id", "lang", "text", "labels", "entities")}
        out.append(GoldRecord(str(obj.get("id", f"{path}:{n}")), lang, text, labels, ents, meta))
    return out


def _spans(ents: Iterable[Any]) -> list[tuple[int, int, str]]:
    out = []
    for e in ents:
        if isinstance(e, dict):
            out.append((int(e["start"]), int(e["end"]), str(e["label"])))
        else:
            out.append((e.start, e.end, e.label))
    return out


def entity_counts(gold: Sequence[Any], pred: Sequence[Any], *, overlap: bool) -> dict[str, Counts]:
    """Per-label counts for one record; ``overlap`` accepts any overlapping span of the same label."""
    g, p = _spans(gold), _spans(pred)
    counts = {label: Counts() for label in ENTITY_LABELS}
    used: set[int] = set()
    for ps, pe, pl in p:
        hit = None
        for i, (gs, ge, gl) in enumerate(g):
            if i in used or gl != pl:
                continue
            if (gs, ge) == (ps, pe) or (overlap and ps < ge and gs < pe):
                hit = i
                break
        if hit is None:
            counts.setdefault(pl, Counts()).fp += 1
        else:
            used.add(hit)
            counts[pl].tp += 1
    for i, (_, _, gl) in enumerate(g):
        if i not in used:
            counts.setdefault(gl, Counts()).fn += 1
    return counts


def factor_counts(gold: Iterable[str], pred: Iterable[str]) -> dict[str, Counts]:
    """Per-factor counts for one passage."""
    gs, ps = set(gold), set(pred)
    return {f: Counts(int(f in gs and f in ps), int(f in ps and f not in gs), int(f in gs and f not in ps))
            for f in FACTORS}


def summarize(per_label: dict[str, Counts], labels: Sequence[str]) -> dict[str, Any]:
    """Per-label scores plus micro and macro averages."""
    out: dict[str, Any] = {lab: per_label[lab].scores() for lab in labels}
    total = Counts()
    for lab in labels:
        total.add(per_label[lab])
    out["micro"] = total.scores()
    present = [lab for lab in labels if per_label[lab].tp + per_label[lab].fn > 0]
    out["macro"] = {k: round(sum(float(out[lab][k]) for lab in present) / len(present), 4) if present else 0.0
                    for k in ("precision", "recall", "f1")}
    return out


def score(records: Sequence[GoldRecord], predict_entities: Callable[[GoldRecord], Sequence[Any]] | None,
          predict_labels: Callable[[GoldRecord], Sequence[str]] | None) -> dict[str, Any]:
    """Score predictions over gold records, overall and per language.

    Each predict function takes a gold record and returns its predictions;
    ``None`` skips that part. Canonical agreement counts strict entity matches
    whose predicted canonical name equals the gold one.
    """
    by_lang: dict[str, dict[str, Any]] = {}

    def bucket(lang: str) -> dict[str, Any]:
        return by_lang.setdefault(lang, {
            "strict": {lab: Counts() for lab in ENTITY_LABELS},
            "overlap": {lab: Counts() for lab in ENTITY_LABELS},
            "factors": {f: Counts() for f in FACTORS},
            "canonical": [0, 0], "n_ent": 0, "n_fac": 0})

    for rec in records:
        targets = [bucket("all"), bucket(rec.lang or "unknown")]
        if predict_entities is not None and rec.entities is not None:
            pred = list(predict_entities(rec))
            strict = entity_counts(rec.entities, pred, overlap=False)
            loose = entity_counts(rec.entities, pred, overlap=True)
            gold_canon = {(e["start"], e["end"]): e.get("canonical") for e in rec.entities}
            agree = total = 0
            for e in pred:
                key = (e.start, e.end)
                if key in gold_canon and gold_canon[key] is not None:
                    total += 1
                    agree += int(e.canonical == gold_canon[key])
            for t in targets:
                for lab in ENTITY_LABELS:
                    t["strict"][lab].add(strict.get(lab, Counts()))
                    t["overlap"][lab].add(loose.get(lab, Counts()))
                t["canonical"][0] += agree
                t["canonical"][1] += total
                t["n_ent"] += 1
        if predict_labels is not None and rec.labels is not None:
            counts = factor_counts(rec.labels, predict_labels(rec))
            for t in targets:
                for f in FACTORS:
                    t["factors"][f].add(counts[f])
                t["n_fac"] += 1
    report: dict[str, Any] = {}
    for lang, b in sorted(by_lang.items(), key=lambda kv: (kv[0] != "all", kv[0])):
        part: dict[str, Any] = {}
        if b["n_ent"]:
            part["entities"] = {
                "records": b["n_ent"],
                "strict": summarize(b["strict"], ENTITY_LABELS),
                "overlap": summarize(b["overlap"], ENTITY_LABELS),
                "canonical_agreement": round(b["canonical"][0] / b["canonical"][1], 4) if b["canonical"][1]
                else None,
            }
        if b["n_fac"]:
            part["factors"] = {"records": b["n_fac"], **summarize(b["factors"], FACTORS)}
        report[lang] = part
    return report


def format_report(report: dict[str, Any]) -> str:
    """A plain-text table of a :func:`score` report."""
    lines: list[str] = []
    for lang, part in report.items():
        if "factors" in part:
            fac = part["factors"]
            lines.append(f"[{lang}] factors ({fac['records']} passages)")
            lines.append(f"  {'factor':<12}{'P':>8}{'R':>8}{'F1':>8}{'n':>6}")
            for name in (*FACTORS, "micro"):
                s = fac[name]
                lines.append(f"  {name:<12}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}{s['support']:>6}")
            m = fac["macro"]
            lines.append(f"  {'macro':<12}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}")
        if "entities" in part:
            ent = part["entities"]
            lines.append(f"[{lang}] entities ({ent['records']} records), strict | overlap")
            lines.append(f"  {'label':<10}{'P':>7}{'R':>7}{'F1':>7} |{'P':>7}{'R':>7}{'F1':>7}{'n':>6}")
            for name in (*ENTITY_LABELS, "micro"):
                s, o = ent["strict"][name], ent["overlap"][name]
                lines.append(f"  {name:<10}{s['precision']:>7.3f}{s['recall']:>7.3f}{s['f1']:>7.3f} |"
                             f"{o['precision']:>7.3f}{o['recall']:>7.3f}{o['f1']:>7.3f}{s['support']:>6}")
            if ent["canonical_agreement"] is not None:
                lines.append(f"  canonical name agreement on strict matches: {ent['canonical_agreement']:.3f}")
    return "\n".join(lines)
