"""The passages to review: each body passage of the inputs, in context, with the model's answer.

The inputs are analysed once, before the server starts (``nktk tag``'s
pipeline), and each body passage becomes an :class:`Item`: its own text (a
running header inside it left out), the passages around it, the document's
title and source, and the model's labels, scores, evidence and entities in
offsets of the passage's text, which is what a saved record carries.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..evaluate import FACTORS
from ..results import Analysis, Failure, Passage

ORDERS = ("document", "uncertain")
_CONTEXT_KINDS = ("body", "heading")


@dataclass(frozen=True, slots=True)
class Item:
    """One body passage to review; offsets (evidence, entities) are into :attr:`text`."""

    id: str
    record: str
    index: int
    lang: str
    text: str
    title: str
    source: str
    before: str | None
    after: str | None
    labels: tuple[str, ...]
    scores: dict[str, float]
    evidence: dict[str, list[tuple[int, int]]]
    entities: tuple[dict[str, Any], ...]
    position: int = 0

    def uncertainty(self, thresholds: dict[str, float]) -> float:
        """Distance of the score nearest its threshold (smaller: the model was less sure)."""
        return min((abs(self.scores.get(f, 0.0) - t) for f, t in thresholds.items()), default=1.0)

    def model_record(self, model: str) -> dict[str, Any]:
        """``meta.model`` of a saved record: what the model said before the reviewer changed anything."""
        return {"path": model, "labels": list(self.labels),
                "scores": {f: round(s, 4) for f, s in self.scores.items()},
                "entities": [dict(e) for e in self.entities]}

    def to_json(self) -> dict[str, Any]:
        """What the page shows (text is sent as data and only ever set as text by the page's script)."""
        return {"id": self.id, "record": self.record, "index": self.index, "lang": self.lang, "text": self.text,
                "title": self.title, "source": self.source, "before": self.before, "after": self.after,
                "model": {"labels": list(self.labels), "scores": {f: round(s, 4) for f, s in self.scores.items()},
                          "evidence": {f: [list(span) for span in spans] for f, spans in self.evidence.items()}},
                "entities": [dict(e) for e in self.entities], "position": self.position}


class Segments:
    """A passage's text with the spans of other passages (``gaps``) left out, and the offset map."""

    def __init__(self, text: str, passage: Passage) -> None:
        self.parts: list[tuple[int, int]] = []
        start = passage.start
        for gs, ge in sorted(passage.gaps):
            self.parts.append((start, gs))
            start = ge
        self.parts.append((start, passage.end))
        self.text = "\n".join(text[s:e].strip("\n") for s, e in self.parts)
        self._base: list[tuple[int, int, int]] = []  # (record start, record end, local start)
        local = 0
        for s, e in self.parts:
            piece = text[s:e]
            lead = len(piece) - len(piece.lstrip("\n"))
            kept = piece.strip("\n")
            self._base.append((s + lead, s + lead + len(kept), local))
            local += len(kept) + 1

    def local(self, start: int, end: int) -> tuple[int, int] | None:
        """Record offsets as offsets into :attr:`text`; ``None`` if the span crosses a gap or lies outside."""
        for s, e, base in self._base:
            if s <= start and end <= e:
                return start - s + base, end - s + base
        return None


def items_of(result: Analysis, text: str) -> list[Item]:
    """The body passages of one analysed record, as items."""
    title = str(result.meta.get("title") or "") or next(
        (_flat(text[p.start : p.end]) for p in result.passages if p.kind == "heading"), "") or result.id
    source = str(result.meta.get("url") or result.meta.get("source") or result.id)
    context = [i for i, p in enumerate(result.passages) if p.kind in _CONTEXT_KINDS]
    out = []
    for i, p in enumerate(result.passages):
        if p.kind != "body":
            continue
        seg = Segments(text, p)
        if not seg.text.strip():
            continue
        where = context.index(i)
        before = _flat(_passage_text(text, result.passages[context[where - 1]])) if where > 0 else None
        after = (_flat(_passage_text(text, result.passages[context[where + 1]]))
                 if where + 1 < len(context) else None)
        evidence = {f: [span for ev in spans if (span := seg.local(ev.start, ev.end)) is not None]
                    for f, spans in p.evidence.items()}
        entities = []
        for e in result.entities:
            span = seg.local(e.start, e.end)
            if span is not None:
                entities.append({"start": span[0], "end": span[1], "text": seg.text[span[0]:span[1]],
                                 "label": e.label, "canonical": e.canonical, "id": e.id})
        out.append(Item(f"{result.id}:{i}", result.id, i, p.lang, seg.text, title, source, before, after,
                        tuple(p.labels), dict(p.scores), evidence, tuple(entities)))
    return out


def _passage_text(text: str, p: Passage) -> str:
    return Segments(text, p).text


def _flat(text: str, limit: int = 600) -> str:
    """Context text on one line, cut at ``limit`` characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def build(inputs: Sequence[str | Path], *, analyzer: Any, order: str = "document",
          thresholds: dict[str, float] | None = None, text_column: str = "text", id_column: str | None = None,
          warn: Callable[[str], None] | None = None) -> list[Item]:
    """Analyse ``inputs`` and list their body passages in review order.

    ``order`` is ``document`` (input order, then passage order) or
    ``uncertain`` (the passages whose score lies nearest its threshold
    first: the ones a correction teaches the model most). A record that
    cannot be read or analysed is reported through ``warn`` and left out.

    Raises:
        InputError: nothing in the inputs has a body passage to review, or ``order`` is unknown.
    """
    from ..io import read_records

    if order not in ORDERS:
        raise InputError(f"--order must be one of {', '.join(ORDERS)}, not {order!r}")
    say = warn or (lambda msg: print(msg, file=sys.stderr))
    items: list[Item] = []
    for res in analyzer.analyze_many(read_records(inputs, text_column=text_column, id_column=id_column)):
        if isinstance(res, Failure):
            say(f"nktk: error: {res.error}")
            continue
        items.extend(items_of(res, res.text or ""))
    if not items:
        raise InputError(f"{', '.join(str(i) for i in inputs)}: no body passage to review")
    if order == "uncertain":
        cut = thresholds or dict.fromkeys(FACTORS, 0.5)
        items = sorted(items, key=lambda it: it.uncertainty(cut))  # stable: document order among ties
    return [replace(it, position=n) for n, it in enumerate(items)]


def agreement(items: Iterable[Item], saved: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """How often the reviewer kept the model's decision, over the reviewed items of this queue.

    ``factors`` is the share of factor decisions (passages times four) kept;
    ``passages`` the share of passages whose labels were kept as a whole.
    """
    decisions = kept = same = n = 0
    for item in items:
        rec = saved.get(item.id)
        if rec is None:
            continue
        n += 1
        model = set(rec.get("meta", {}).get("model", {}).get("labels", item.labels))
        mine = set(rec.get("labels", []))
        same += model == mine
        for f in FACTORS:
            decisions += 1
            kept += (f in model) == (f in mine)
    return {"reviewed": n, "factors": round(kept / decisions, 4) if decisions else None,
            "passages": round(same / n, 4) if n else None}
