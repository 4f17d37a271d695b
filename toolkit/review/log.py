"""The review file: an append-only log of reviewed passages and retractions.

Every save is one ANNOTATION.md record, written as one line with one
``os.write`` and fsynced before the reviewer's page moves on, so a crash loses
at most the passage on screen. Nothing is ever rewritten: an undo appends a
retraction, a second save of the same passage appends a new record.

A saved record::

    {"id": "article.txt:3", "lang": "en", "source": "article.txt", "doc": "article.txt",
     "text": "...", "labels": ["economic"], "entities": [{"start": 0, "end": 5, "label": "LOC",
     "canonical": "China", "id": "CN"}],
     "meta": {"passage": 3, "model": {"path": "bundled", "labels": [...], "scores": {...},
              "entities": [...]}, "reviewed_at": "2026-12-03T12:00:00Z"}}

``id`` is the input record's id and the passage's index in ``nktk tag``'s
``passages`` list; ``doc`` (the input record's id) groups a document's passages
in training splits. A retraction::

    {"id": "article.txt:3", "retract": true, "meta": {"retracted_at": "..."}}

cancels the latest standing save of that id. :func:`resolve` replays the log:
the last standing save of each id is what the reviewer decided.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, InputNotFoundError, OutputError

RETRACT = "retract"


def now() -> str:
    """The current UTC time as ISO 8601 with seconds (``2026-12-03T12:00:00Z``)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_retraction(event: dict[str, Any]) -> bool:
    """Whether a log line retracts a save rather than recording one."""
    return event.get(RETRACT) is True


def is_review_event(event: dict[str, Any]) -> bool:
    """Whether a JSON line was written by ``nktk review`` (a save or a retraction)."""
    meta = event.get("meta")
    return is_retraction(event) or (isinstance(meta, dict) and "reviewed_at" in meta)


def events(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """The log's events with their line numbers.

    A last line without its newline is a save cut off by a crash: it is left
    out (the passage was still on screen). Any other line that is not a JSON
    object is an :class:`~toolkit.errors.InputError` naming file and line.
    """
    if not path.exists():
        raise InputNotFoundError(f"{path}: no such file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror})") from None
    lines = data.split(b"\n")
    for n, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict) or not isinstance(obj.get("id"), str):
                raise ValueError("not a JSON object with an 'id'")
        except (UnicodeDecodeError, ValueError) as exc:
            if n == len(lines):  # the unterminated last line of a crash
                continue
            raise InputError(f"{path}:{n}: not a review record ({exc})") from None
        yield n, obj


class Standing:
    """The replay of a log: each id has a stack of saves, a retraction pops its top one.

    The top of each stack is what the reviewer decided about that passage; the
    latest of the tops is what an undo retracts next.
    """

    def __init__(self) -> None:
        self._stacks: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        self._seq = 0

    def apply(self, event: dict[str, Any]) -> None:
        stack = self._stacks.setdefault(event["id"], [])
        if is_retraction(event):
            if stack:
                stack.pop()
        else:
            stack.append((self._seq, event))
        self._seq += 1

    def has(self, rid: str) -> bool:
        return bool(self._stacks.get(rid))

    def records(self) -> list[dict[str, Any]]:
        """The standing save of each id, in the order the saves were made."""
        tops = [stack[-1] for stack in self._stacks.values() if stack]
        return [event for _, event in sorted(tops, key=lambda pair: pair[0])]


def resolve(log: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The standing saves of a log, one per id (its last standing save), in the order they were made."""
    standing = Standing()
    for event in log:
        standing.apply(event)
    return standing.records()


def is_review_file(path: Path) -> bool:
    """Whether ``path`` is a review log (its first record was written by ``nktk review``)."""
    try:
        with path.open("rb") as fh:
            for raw in fh:
                if raw.strip():
                    obj = json.loads(raw)
                    return isinstance(obj, dict) and is_review_event(obj)
    except (OSError, ValueError):
        return False
    return False


class ReviewLog:
    """The review file of one server: its standing saves, and appends that reach the disk.

    The state is the replay of the log, as :func:`resolve` does it: each id has
    a stack of saves, a retraction pops the top one. :meth:`retract_last` takes
    the latest standing save, so undo walks back through the saves in the
    order they were made, across restarts.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._standing = Standing()
        self._fd: int | None = None

    @property
    def saved(self) -> dict[str, dict[str, Any]]:
        """The standing save of every reviewed id."""
        return {rec["id"]: rec for rec in self._standing.records()}

    def is_saved(self, rid: str) -> bool:
        return self._standing.has(rid)

    def open(self) -> ReviewLog:
        """Read what an earlier session saved, then open the file for appending.

        Raises:
            InputError: a line of an existing file is not a review record.
            OutputError: the file cannot be created or opened for writing.
        """
        if self.path.exists():
            for _, event in events(self.path):
                self._standing.apply(event)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            size = os.fstat(self._fd).st_size
            if size and os.pread(self._fd, 1, size - 1) != b"\n":
                # a crash cut the last save short (it never reached the page): drop it, as a batch resume does
                tail = os.pread(self._fd, min(size, 1 << 20), max(0, size - (1 << 20)))
                cut = tail.rfind(b"\n")
                os.ftruncate(self._fd, size - len(tail) + cut + 1 if cut >= 0 else 0)
        except OSError as exc:
            raise OutputError(f"{self.path}: cannot write ({exc.strerror})") from None
        return self

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> ReviewLog:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def save(self, record: dict[str, Any]) -> None:
        """Append one reviewed record and return once it is on the disk."""
        self.append(record)

    def last(self) -> dict[str, Any] | None:
        """The latest standing save (what an undo would retract)."""
        records = self._standing.records()
        return records[-1] if records else None

    def retract_last(self) -> dict[str, Any] | None:
        """Retract the latest standing save (``None`` if there is none); returns the retracted record."""
        record = self.last()
        if record is not None:
            self.append({"id": record["id"], RETRACT: True, "meta": {"retracted_at": now()}})
        return record

    def append(self, event: dict[str, Any]) -> None:
        """Write one event as one line, fsync it, then apply it to the in-memory state.

        Raises:
            OutputError: the write or the fsync failed (a full disk); the state is unchanged.
        """
        line = (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")
        size = os.fstat(self._fd).st_size if self._fd is not None else 0
        try:
            self._write(line)
        except OSError as exc:
            with contextlib.suppress(OSError):  # a part of the line may have reached the file: take it back
                if self._fd is not None:
                    os.ftruncate(self._fd, size)
            raise OutputError(f"{self.path}: cannot write ({exc.strerror}); the passage was not saved") from None
        self._standing.apply(event)

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            raise OSError(9, "the review file is not open")
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]
        os.fsync(self._fd)
