"""Scoring against gold records in the ANNOTATION.md format: entities and factors.

Entity scores are given strict (same span and label) and overlap (same label,
spans overlap; matched one to one), per label and per language. Factor scores
are per-factor precision, recall and F1, with micro and macro averages, per
language. Only keys that a gold record carries are scored: a record without
``entities`` is not entity-annotated, one without ``labels`` not factor-annotated.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
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


def _records(path: Path, what: str, check: Callable[[dict[str, Any]], None]) -> Iterator[tuple[int, dict[str, Any]]]:
    """The JSON objects of a gold JSONL file with their line numbers; ``check`` raises on a malformed one.

    Raises:
        InputNotFoundError: no such file.
        InputError: a line that is not JSON or fails ``check``, named by file and line.
    """
    if not path.exists():
        raise InputNotFoundError(f"{path}: no such file")
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj["text"], str):
                raise TypeError("text is not a string")
            check(obj)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}:{n}: not {what} ({exc})") from None
        yield n, obj


def _check_record(obj: dict[str, Any]) -> None:
    labels = obj.get("labels")
    if labels is not None and not set(labels) <= set(FACTORS):
        raise ValueError(f"unknown labels {sorted(set(labels) - set(FACTORS))}")
    for e in obj.get("entities") or []:
        if obj["text"][e["start"] : e["end"]] == "" or e["label"] not in ENTITY_LABELS:
            raise ValueError(f"bad entity {e}")


def read_gold(path: Path) -> list[GoldRecord]:
    """Read gold JSONL; a malformed line is an :class:`InputError` naming file and line.

    A review file (written by ``nktk review``) is replayed first: retractions
    cancel saves and the last standing save of each passage is its record
    (:func:`toolkit.review.log.resolve`). Keys other than the annotation's go
    to :attr:`GoldRecord.meta` (``doc``, ``source``, and a review's ``meta``).
    """
    from .review.log import events, is_review_file, resolve

    if is_review_file(path):
        pairs: Iterable[tuple[int, dict[str, Any]]] = _checked(
            path, ((0, obj) for obj in resolve(event for _, event in events(path))))
    else:
        pairs = _records(path, "a gold record", _check_record)
    out: list[GoldRecord] = []
    for n, obj in pairs:
        meta = {k: v for k, v in obj.items() if k not in ("id", "lang", "text", "labels", "entities")}
        out.append(GoldRecord(str(obj.get("id", f"{path}:{n}")), obj.get("lang") or "", obj["text"],
                              obj.get("labels"), obj.get("entities"), meta))
    return out


def _checked(path: Path, pairs: Iterable[tuple[int, dict[str, Any]]]) -> Iterator[tuple[int, dict[str, Any]]]:
    """Review records checked like gold lines; a bad one is named by file and record id."""
    for n, obj in pairs:
        try:
            if not isinstance(obj.get("text"), str):
                raise TypeError("text is not a string")
            _check_record(obj)
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{path}: record {obj.get('id')!r}: not a gold record ({exc})") from None
        yield n, obj


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


def bootstrap_macro_f1(counts: Sequence[dict[str, Counts]], *, resamples: int = 1000,
                       seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of factor macro-F1, resampling passages with replacement.

    ``counts`` holds one :func:`factor_counts` result per passage. Each resample
    draws as many passages as there are, and averages F1 over the factors its
    gold labels hold, as :func:`summarize` does.
    """
    import numpy as np

    n = len(counts)
    if not n:
        return (0.0, 0.0)
    per = np.array([[getattr(c[f], k) for f in FACTORS for k in ("tp", "fp", "fn")] for c in counts], dtype=float)
    draws = np.random.default_rng(seed).multinomial(n, np.full(n, 1.0 / n), size=resamples)
    sums = (draws @ per).reshape(resamples, len(FACTORS), 3)
    tp, fp, fn = sums[..., 0], sums[..., 1], sums[..., 2]
    denom = 2 * tp + fp + fn
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    present = (tp + fn) > 0
    macro = (f1 * present).sum(axis=1) / np.maximum(present.sum(axis=1), 1)
    lo, hi = np.percentile(macro, [2.5, 97.5])
    return (round(float(lo), 4), round(float(hi), 4))


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
            "canonical": [0, 0], "n_ent": 0, "n_fac": 0, "per_passage": []})

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
                t["per_passage"].append(counts)
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
            part["factors"] = {"records": b["n_fac"], **summarize(b["factors"], FACTORS),
                               "macro_f1_ci95": list(bootstrap_macro_f1(b["per_passage"]))}
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
            lo, hi = fac["macro_f1_ci95"]
            lines.append(f"  {'macro':<12}{m['precision']:>8.3f}{m['recall']:>8.3f}{m['f1']:>8.3f}"
                         f"   (95% bootstrap interval of macro F1: {lo:.3f} to {hi:.3f})")
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


# --- Reviews: the model against the reviewer ------------------------------------------------------


def agreement(records: Sequence[GoldRecord], predict_labels: Callable[[GoldRecord], Sequence[str]]) -> dict[str, Any]:
    """Per factor, how often the model and the reviewer made the same decision, and Cohen's kappa.

    ``agreement`` is the share of passages with the same yes/no; ``kappa``
    discounts the agreement expected by chance from each side's rate of yes
    (``None`` when both always say the same thing, where it is undefined).
    """
    rows = [(set(predict_labels(r)), set(r.labels)) for r in records if r.labels is not None]
    out: dict[str, Any] = {}
    for f in FACTORS:
        pairs = [(f in model, f in mine) for model, mine in rows]
        n = len(pairs)
        if not n:
            continue
        same = sum(a == b for a, b in pairs) / n
        p_model, p_mine = sum(a for a, _ in pairs) / n, sum(b for _, b in pairs) / n
        chance = p_model * p_mine + (1 - p_model) * (1 - p_mine)
        kappa = (same - chance) / (1 - chance) if chance < 1 else None
        out[f] = {"passages": n, "agreement": round(same, 4), "kappa": None if kappa is None else round(kappa, 4),
                  "model_yes": sum(a for a, _ in pairs), "reviewer_yes": sum(b for _, b in pairs)}
    return out


def score_review(records: Sequence[GoldRecord], predict_entities: Callable[[GoldRecord], Sequence[Any]],
                 predict_labels: Callable[[GoldRecord], Sequence[str]], *, compared: str) -> dict[str, Any]:
    """A model's answers against a reviewer's records: :func:`score` (the reviewer as gold) and :func:`agreement`."""
    return {"compared": compared, "passages": len(records),
            "agreement": agreement(records, predict_labels),
            "scores": score(records, predict_entities, predict_labels)}


def format_review(report: dict[str, Any]) -> str:
    """A plain-text table of a :func:`score_review` report."""
    lines = [f"{report['compared']} vs reviewer: {report['passages']} passages (retractions applied)",
             f"  {'factor':<12}{'agree':>8}{'kappa':>8}{'model':>8}{'you':>6}"]
    for f, a in report["agreement"].items():
        kappa = "-" if a["kappa"] is None else f"{a['kappa']:.3f}"
        lines.append(f"  {f:<12}{a['agreement']:>8.3f}{kappa:>8}{a['model_yes']:>8}{a['reviewer_yes']:>6}")
    lines.append("P/R/F1 of the model, taking the reviewer's records as gold:")
    return "\n".join(lines) + "\n" + format_report(report["scores"])


# --- Documents: segmentation, passage kinds, and factors on whole documents -------------------------

_VISIBLE_SKIP = frozenset(" \t\n\r\f\v\u00a0\u3000\u200b\u200c\u200d\u2060\ufeff\u00ad\u2028\u2029\x85")


@dataclass
class GoldDocument:
    """A whole document with its gold passages (ANNOTATION.md, "Documents")."""

    id: str
    lang: str
    text: str
    passages: list[dict[str, Any]]
    entities: list[dict[str, Any]] | None
    meta: dict[str, Any] = field(default_factory=dict)


def _check_document(obj: dict[str, Any]) -> None:
    if not isinstance(obj["passages"], list):
        raise TypeError("passages must be a list")
    for p in obj["passages"]:
        if not 0 <= p["start"] < p["end"] <= len(obj["text"]) or p["kind"] not in DOCUMENT_KINDS:
            raise ValueError(f"bad passage {p}")
        if set(p.get("labels") or []) - set(FACTORS):
            raise ValueError(f"unknown labels in {p}")


def read_documents(path: Path) -> list[GoldDocument]:
    """Read gold documents (records with ``passages``); a malformed one is an :class:`InputError`."""
    out: list[GoldDocument] = []
    for n, obj in _records(path, "a gold document", _check_document):
        meta = {k: v for k, v in obj.items() if k not in ("id", "lang", "text", "passages", "entities")}
        out.append(GoldDocument(str(obj.get("id", f"{path}:{n}")), obj.get("lang") or "", obj["text"],
                                obj["passages"], obj.get("entities"), meta))
    return out


DOCUMENT_KINDS = ("body", "heading", "boilerplate", "reference")


def is_document_file(path: Path) -> bool:
    """True when the first record of a JSONL file is a gold document (it has ``passages``)."""
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    return "passages" in json.loads(line)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return False
    return False


def _match(gold: Sequence[tuple[int, int]], pred: Sequence[tuple[int, int]], slack: int = 2) -> Counts:
    """Passages matched one to one when both ends are within ``slack`` characters."""
    used: set[int] = set()
    tp = 0
    for ps, pe in pred:
        for i, (gs, ge) in enumerate(gold):
            if i not in used and abs(gs - ps) <= slack and abs(ge - pe) <= slack:
                used.add(i)
                tp += 1
                break
    return Counts(tp, len(pred) - tp, len(gold) - tp)


def _kind_mask(text: str, passages: Sequence[Any], kind_of: Callable[[Any], str]) -> list[str]:
    """The kind of every character (innermost passage wins: a page number inside a paragraph)."""
    mask = [""] * len(text)
    for p in sorted(passages, key=lambda p: -(_end(p) - _start(p))):
        k = kind_of(p)
        for i in range(_start(p), _end(p)):
            mask[i] = k
    return mask


def _start(p: Any) -> int:
    return int(p["start"] if isinstance(p, dict) else p.start)


def _end(p: Any) -> int:
    return int(p["end"] if isinstance(p, dict) else p.end)


def precut_text(doc: GoldDocument, passage: dict[str, Any]) -> str:
    """A gold paragraph as a clean pre-cut passage: inner passages (page furniture) removed, wraps joined."""
    import re

    s, e = passage["start"], passage["end"]
    inner = sorted((p["start"], p["end"]) for p in doc.passages
                   if s < p["start"] and p["end"] <= e and p is not passage)
    parts, pos = [], s
    for a, b in inner:
        parts.append(doc.text[pos:a])
        pos = b
    parts.append(doc.text[pos:e])
    joined = re.sub(r"(?<=[a-z])-[ \t]*(?:\r\n|[\n\r\f])[\s]*(?=[a-z])", "", "".join(parts))
    return " ".join(joined.split())


def score_documents(docs: Sequence[GoldDocument], analyze: Callable[[GoldDocument], Any],
                    precut_labels: Callable[[GoldDocument, list[str]], list[list[str]]] | None = None
                    ) -> dict[str, Any]:
    """Segmentation, kinds and factors of whole documents against gold, overall and per language.

    ``analyze`` gives the :class:`~toolkit.results.Analysis` of a document;
    ``precut_labels`` the predicted labels of its gold body paragraphs given as
    pre-cut passages (the baseline the document figures stand beside).

    Reported: paragraph boundaries (a predicted passage matches a gold one when
    both ends are within 2 characters) over the article's passages (body,
    heading, reference) and over all passages; boilerplate precision and recall
    over visible characters; gold body paragraphs set aside; labelled passages
    that are mostly gold boilerplate; factor macro-F1 on the documents (labels
    of the passages overlapping each gold paragraph) beside the pre-cut one.
    """
    buckets: dict[str, dict[str, Any]] = {}

    def bucket(lang: str) -> dict[str, Any]:
        return buckets.setdefault(lang, {
            "docs": 0, "content": Counts(), "all": Counts(), "body": Counts(), "bp": Counts(),
            "body_chars": [0, 0], "dropped": [0, 0], "chrome_labelled": 0,
            "doc_factors": {f: Counts() for f in FACTORS}, "cut_factors": {f: Counts() for f in FACTORS},
            "strict": {lab: Counts() for lab in ENTITY_LABELS}, "n_ent": 0})

    for doc in docs:
        res = analyze(doc)
        targets = [bucket("all"), bucket(doc.lang or "unknown")]
        gold, pred = doc.passages, list(res.passages)
        content = _match([(p["start"], p["end"]) for p in gold if p["kind"] != "boilerplate"],
                         [(p.start, p.end) for p in pred if p.kind != "boilerplate"])
        every = _match([(p["start"], p["end"]) for p in gold], [(p.start, p.end) for p in pred])
        body = _match([(p["start"], p["end"]) for p in gold if p["kind"] == "body"],
                      [(p.start, p.end) for p in pred if p.kind == "body"])
        gmask = _kind_mask(doc.text, gold, lambda p: p["kind"])
        pmask = _kind_mask(doc.text, pred, lambda p: p.kind)
        bp = Counts()
        body_chars = [0, 0]
        for i, ch in enumerate(doc.text):
            if ch in _VISIBLE_SKIP or ch.isspace():
                continue
            g, p = gmask[i], pmask[i]
            if g == "boilerplate" or p == "boilerplate":
                bp.tp += g == p == "boilerplate"
                bp.fp += p == "boilerplate" and g != "boilerplate"
                bp.fn += g == "boilerplate" and p != "boilerplate"
            if g == "body":
                body_chars[0] += 1
                body_chars[1] += p not in ("body", "")
        dropped = [0, 0]
        doc_counts = {f: Counts() for f in FACTORS}
        body_gold = [p for p in gold if p["kind"] == "body"]
        for gp in body_gold:
            where = [i for i in range(gp["start"], gp["end"]) if gmask[i] == "body" and not doc.text[i].isspace()]
            dropped[0] += 1
            dropped[1] += sum(pmask[i] != "body" for i in where) > len(where) / 2
            if gp.get("labels") is None:
                continue
            found = {lab for p in pred if p.kind == "body" and p.start < gp["end"] and gp["start"] < p.end
                     for lab in p.labels}
            for f, c in factor_counts(gp["labels"], found).items():
                doc_counts[f].add(c)
        chrome_labelled = 0
        for p in pred:
            if p.labels:
                kinds = [gmask[i] for i in range(p.start, p.end) if not doc.text[i].isspace()]
                chrome_labelled += sum(k == "boilerplate" for k in kinds) > len(kinds) / 2
        cut_counts = {f: Counts() for f in FACTORS}
        if precut_labels is not None:
            labelled = [gp for gp in body_gold if gp.get("labels") is not None]
            for gp, labs in zip(labelled, precut_labels(doc, [precut_text(doc, gp) for gp in labelled]),
                                strict=True):
                for f, c in factor_counts(gp["labels"], labs).items():
                    cut_counts[f].add(c)
        ent_counts: dict[str, Counts] | None = None
        if doc.entities is not None:
            spans = [(p["start"], p["end"]) for p in body_gold]
            inside = [e for e in res.entities if any(s <= e.start and e.end <= t for s, t in spans)]
            ent_counts = entity_counts(doc.entities, inside, overlap=False)
        for t in targets:
            t["docs"] += 1
            for key, c in (("content", content), ("all", every), ("body", body), ("bp", bp)):
                t[key].add(c)
            for k in (0, 1):
                t["body_chars"][k] += body_chars[k]
                t["dropped"][k] += dropped[k]
            t["chrome_labelled"] += chrome_labelled
            for f in FACTORS:
                t["doc_factors"][f].add(doc_counts[f])
                t["cut_factors"][f].add(cut_counts[f])
            if ent_counts is not None:
                t["n_ent"] += 1
                for lab in ENTITY_LABELS:
                    t["strict"][lab].add(ent_counts.get(lab, Counts()))
    report: dict[str, Any] = {}
    for lang, b in sorted(buckets.items(), key=lambda kv: (kv[0] != "all", kv[0])):
        part: dict[str, Any] = {
            "documents": b["docs"],
            "boundaries": {"article": b["content"].scores(), "all": b["all"].scores(), "body": b["body"].scores()},
            "boilerplate": b["bp"].scores(),
            "body_chars_set_aside": round(b["body_chars"][1] / b["body_chars"][0], 4) if b["body_chars"][0] else 0.0,
            "body_paragraphs_set_aside": b["dropped"][1],
            "body_paragraphs": b["dropped"][0],
            "labelled_boilerplate": b["chrome_labelled"],
            "factors_documents": summarize(b["doc_factors"], FACTORS),
        }
        if precut_labels is not None:
            part["factors_precut"] = summarize(b["cut_factors"], FACTORS)
        if b["n_ent"]:
            part["entities_body"] = summarize(b["strict"], ENTITY_LABELS)
        report[lang] = part
    return report


def format_documents(report: dict[str, Any]) -> str:
    """A plain-text table of a :func:`score_documents` report."""
    lines: list[str] = []
    for lang, part in report.items():
        lines.append(f"[{lang}] {part['documents']} documents")
        lines.append(f"  {'paragraph boundaries (±2 chars)':<40}{'P':>8}{'R':>8}{'F1':>8}{'n':>6}")
        for name in ("article", "body", "all"):
            s = part["boundaries"][name]
            lines.append(f"  {name + ' passages':<40}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}"
                         f"{s['support']:>6}")
        s = part["boilerplate"]
        lines.append(f"  {'boilerplate (visible characters)':<40}{s['precision']:>8.3f}{s['recall']:>8.3f}"
                     f"{s['f1']:>8.3f}")
        lines.append(f"  body paragraphs set aside: {part['body_paragraphs_set_aside']} of {part['body_paragraphs']}"
                     f" (body characters: {part['body_chars_set_aside']:.2%}); labelled passages that are "
                     f"boilerplate: {part['labelled_boilerplate']}")
        doc_f = part["factors_documents"]
        cut = part.get("factors_precut")
        head = f"  {'factor F1':<14}{'documents':>10}" + (f"{'pre-cut':>10}" if cut else "")
        lines.append(head)
        for name in (*FACTORS, "macro"):
            row = f"  {name:<14}{doc_f[name]['f1']:>10.3f}"
            if cut:
                row += f"{cut[name]['f1']:>10.3f}"
            lines.append(row)
        if "entities_body" in part:
            e = part["entities_body"]
            lines.append("  entities in body (strict F1): " + ", ".join(
                f"{lab} {e[lab]['f1']:.3f}" for lab in (*ENTITY_LABELS, "micro")))
    return "\n".join(lines)
