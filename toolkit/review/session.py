"""One reviewer's session: which passage is on screen, and what save, skip and undo do.

The session holds no state the review file does not: what is reviewed is
what the log says (so a restart resumes), and only the skips of this session
and the passage brought back by an undo live in memory. Requests are handled
one at a time on the server's event loop, so no lock is needed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..evaluate import ENTITY_LABELS, FACTORS
from ..gazetteer import Gazetteer
from .log import ReviewLog, now
from .queue import Item, agreement


class ReviewError(ValueError):
    """A request the session cannot take (an unknown passage, a bad entity); the app answers 400."""


class ReviewSession:
    """The queue of :class:`~toolkit.review.queue.Item` s, the review file, and the reviewer's place in both.

    Args:
        items: the passages, in review order.
        log: the open review file.
        model: how saved records name the model (its folder, or ``bundled``).
        thresholds: the model's decision threshold per factor (shown beside the scores).
        gazetteer: for canonical names and ids of entities the reviewer adds.
    """

    def __init__(self, items: Sequence[Item], log: ReviewLog, *, model: str, thresholds: dict[str, float],
                 gazetteer: Gazetteer) -> None:
        self.items = list(items)
        self.by_id = {item.id: item for item in self.items}
        self.log = log
        self.model = model
        self.thresholds = thresholds
        self.gazetteer = gazetteer
        self.skipped: set[str] = set()
        self._back: tuple[Item, dict[str, Any]] | None = None  # brought back by undo, with its retracted choices

    def current(self) -> Item | None:
        """The passage to show: one brought back by undo, else the first neither reviewed nor skipped.

        When only skipped passages are left, they come back (a skip is never a loss).
        """
        if self._back is not None:
            return self._back[0]
        for _ in range(2):
            for item in self.items:
                if not self.log.is_saved(item.id) and item.id not in self.skipped:
                    return item
            if not self.skipped:
                break
            self.skipped.clear()
        return None

    def state(self) -> dict[str, Any]:
        """What the page renders: the passage, the reviewer's draft (after an undo), progress."""
        item = self.current()
        draft = None
        if self._back is not None:
            rec = self._back[1]
            draft = {"labels": rec.get("labels", []), "entities": rec.get("entities", [])}
        reviewed = sum(1 for it in self.items if self.log.is_saved(it.id))
        agree = agreement(self.items, self.log.saved)
        return {"item": item.to_json() if item else None, "draft": draft,
                "progress": {"reviewed": reviewed, "total": len(self.items), "skipped": len(self.skipped),
                             "agreement": agree["factors"], "same_labels": agree["passages"]},
                "can_undo": self.log.last() is not None, "thresholds": self.thresholds,
                "factors": list(FACTORS), "entity_labels": list(ENTITY_LABELS), "out": str(self.log.path)}

    def save(self, rid: str, labels: Sequence[str], entities: Sequence[dict[str, Any]]) -> dict[str, Any]:
        """Append the reviewer's record for passage ``rid`` (on disk when this returns); returns it.

        Raises:
            ReviewError: ``rid`` is not in the queue, or an entity's span, label or id is wrong.
        """
        item = self._item(rid)
        unknown = sorted(set(labels) - set(FACTORS))
        if unknown:
            raise ReviewError(f"unknown factor label {unknown[0]!r}: use {', '.join(FACTORS)}")
        record = {"id": item.id, "lang": item.lang, "source": item.source, "doc": item.record, "text": item.text,
                  "labels": [f for f in FACTORS if f in labels],
                  "entities": [self._entity(item, e) for e in sorted(entities, key=lambda e: (e["start"], e["end"]))],
                  "meta": {"passage": item.index, "title": item.title, "model": item.model_record(self.model),
                           "reviewed_at": now()}}
        self.log.save(record)
        if self._back is not None and self._back[0].id == rid:
            self._back = None
        self.skipped.discard(rid)
        return record

    def skip(self, rid: str) -> None:
        """Move past passage ``rid`` without a record; it comes back once the others are done."""
        self._item(rid)
        if self._back is not None and self._back[0].id == rid:
            self._back = None
        self.skipped.add(rid)

    def undo(self) -> dict[str, Any] | None:
        """Retract the latest save (a line appended to the log) and bring its passage back on screen."""
        record = self.log.retract_last()
        if record is None:
            return None
        item = self.by_id.get(record["id"])
        if item is not None:
            self.skipped.discard(item.id)
            self._back = (item, record)
        return record

    def _item(self, rid: str) -> Item:
        item = self.by_id.get(rid)
        if item is None:
            raise ReviewError(f"no passage {rid!r} in this review")
        return item

    def _entity(self, item: Item, ent: dict[str, Any]) -> dict[str, Any]:
        start, end, label = ent["start"], ent["end"], ent["label"]
        if not (0 <= start < end <= len(item.text)) or not item.text[start:end].strip():
            raise ReviewError(f"entity span {start}-{end} is outside the passage (0-{len(item.text)}) or blank")
        if label not in ENTITY_LABELS:
            raise ReviewError(f"unknown entity label {label!r}: use {', '.join(ENTITY_LABELS)}")
        canonical = " ".join(str(ent.get("canonical") or "").split()) or " ".join(item.text[start:end].split())
        eid = ent.get("id")
        if eid is not None and eid not in self.gazetteer.entries:
            raise ReviewError(f"unknown gazetteer id {eid!r}")
        if eid is None:
            entry = self.gazetteer.lookup(canonical)
            eid = entry.id if entry is not None and entry.label == label else None
        if eid is not None:
            canonical = self.gazetteer.entries[eid].canonical
        return {"start": start, "end": end, "text": item.text[start:end], "label": label,
                "canonical": canonical, "id": eid}
