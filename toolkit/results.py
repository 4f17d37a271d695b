"""Result types: frozen dataclasses with character offsets and ``to_dict()``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Token:
    """A token with exact offsets: ``text[start:end] == token.text``."""

    text: str
    start: int
    end: int
    pos: str
    tag: str
    lemma: str

    def to_dict(self) -> dict[str, Any]:
        """The token as in DESIGN.md's ``tokens`` list."""
        return {"text": self.text, "start": self.start, "end": self.end,
                "pos": self.pos, "tag": self.tag, "lemma": self.lemma}


@dataclass(frozen=True, slots=True)
class Entity:
    """A gazetteer or rule entity; ``id`` is ``None`` for names the gazetteer lacks."""

    start: int
    end: int
    text: str
    label: str
    canonical: str
    id: str | None

    def to_dict(self) -> dict[str, Any]:
        """The entity as in DESIGN.md's ``entities`` list."""
        return {"start": self.start, "end": self.end, "text": self.text, "label": self.label,
                "canonical": self.canonical, "id": self.id}


@dataclass(frozen=True, slots=True)
class Evidence:
    """A span of the record's text that pushed a factor's score up."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Passage:
    """One paragraph with its language and kind; body passages also carry labels, scores and evidence.

    ``kind`` is ``body``, ``heading``, ``boilerplate`` or ``reference``; only
    body passages are classified (the others have no labels and no scores).
    ``section`` is the nearest heading above a body passage. ``gaps`` are the
    spans inside ``[start, end)`` that belong to other passages (a running
    header or page number that interrupts a paragraph across a page break).
    """

    start: int
    end: int
    lang: str
    labels: tuple[str, ...] = ()
    scores: dict[str, float] = field(default_factory=dict)
    evidence: dict[str, tuple[Evidence, ...]] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    kind: str = "body"
    section: str | None = None
    gaps: tuple[tuple[int, int], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The passage as in DESIGN.md's ``passages`` list."""
        out: dict[str, Any] = {"start": self.start, "end": self.end, "lang": self.lang, "kind": self.kind}
        if self.section is not None:
            out["section"] = self.section
        out["labels"] = list(self.labels)
        if self.kind == "body":
            out["scores"] = {k: round(v, 4) for k, v in self.scores.items()}
            out["evidence"] = {k: [e.text for e in v] for k, v in self.evidence.items()}
            out["evidence_spans"] = {k: [[e.start, e.end] for e in v] for k, v in self.evidence.items()}
        if self.gaps:
            out["gaps"] = [list(g) for g in self.gaps]
        if self.meta:
            out["meta"] = dict(self.meta)
        return out


@dataclass(frozen=True, slots=True)
class Analysis:
    """The full result for one record."""

    id: str
    lang: str
    passages: tuple[Passage, ...]
    entities: tuple[Entity, ...]
    tokens: tuple[Token, ...] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The result record of DESIGN.md (``tokens`` and ``text`` only when present)."""
        out: dict[str, Any] = {"id": self.id, "lang": self.lang}
        if self.text is not None:
            out["text"] = self.text
        out["passages"] = [p.to_dict() for p in self.passages]
        out["entities"] = [e.to_dict() for e in self.entities]
        if self.tokens is not None:
            out["tokens"] = [t.to_dict() for t in self.tokens]
        out["meta"] = dict(self.meta)
        return out

    @classmethod
    def from_dict(cls, row: dict[str, Any]) -> Analysis:
        """The inverse of :meth:`to_dict` (scores keep the four decimals of the JSON)."""
        passages = tuple(
            Passage(p["start"], p["end"], p["lang"], tuple(p["labels"]), dict(p.get("scores", {})),
                    {k: tuple(Evidence(t, s, e) for t, (s, e) in zip(v, p["evidence_spans"][k], strict=True))
                     for k, v in p.get("evidence", {}).items()}, dict(p.get("meta", {})),
                    p.get("kind", "body"), p.get("section"), tuple((s, e) for s, e in p.get("gaps", [])))
            for p in row["passages"])
        tokens = tuple(Token(**t) for t in row["tokens"]) if "tokens" in row else None
        return cls(row["id"], row["lang"], passages, tuple(Entity(**e) for e in row["entities"]), tokens,
                   dict(row.get("meta", {})), row.get("text"))


@dataclass(frozen=True, slots=True)
class Failure:
    """A record that could not be analysed: it stays in the output as ``{"id", "error"}``."""

    id: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        """The error record of DESIGN.md."""
        return {"id": self.id, "error": self.error}
