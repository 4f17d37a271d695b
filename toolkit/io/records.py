"""Reading inputs into records: files, folders, stdin, JSONL, CSV (streaming)."""

from __future__ import annotations

import codecs
import csv
import io
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, InputNotFoundError
from .decode import decode

SUFFIXES = (".txt", ".md", ".jsonl", ".csv", ".html", ".htm", ".pdf")


@dataclass(frozen=True, slots=True)
class Record:
    """One unit of input: an id, its NFC text, and metadata passed through to the output."""

    id: str
    text: str
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BadRecord:
    """An input unit that could not be read; it becomes an error record in the output."""

    id: str
    error: str


def expand(inputs: Iterable[str | Path]) -> Iterator[Path | str]:
    """Paths of the files to read: folders recursively (known suffixes, sorted), ``-`` kept."""
    for item in inputs:
        if str(item) == "-":
            yield "-"
            continue
        path = Path(item)
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
        elif path.exists():
            yield path
        else:
            raise InputNotFoundError(f"{path}: no such file or directory")


def read_records(inputs: Iterable[str | Path], *, text_column: str = "text",
                 id_column: str | None = None) -> Iterator[Record | BadRecord]:
    """Stream records from every input, one :class:`BadRecord` per unreadable unit.

    A ``.jsonl`` line holds ``id`` and ``text`` (other keys become metadata); a
    ``.csv`` row takes ``text_column`` and ``id_column``; ``.html`` and ``.pdf``
    give their extracted text; any other file is one record whose id is its path.

    Example (from the repository root):
        >>> first = next(read_records(["corpora/samples/digest.jsonl"]))
        >>> first.id, first.meta["year"]
        ('digest-01', 2016)
    """
    for path in expand(inputs):
        name = "<stdin>" if path == "-" else str(path)
        if path != "-" and Path(path).suffix.lower() == ".jsonl":
            yield from _jsonl_file(Path(path), name)
            continue
        try:
            data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        except FileNotFoundError:
            raise _vanished(name) from None
        except OSError as exc:
            yield BadRecord(name, f"{name}: cannot read ({exc.strerror})")
            continue
        suffix = "" if path == "-" else Path(path).suffix.lower()
        if suffix in (".html", ".htm", ".pdf"):
            from . import documents

            reader = documents.read_html if suffix != ".pdf" else documents.read_pdf
            try:
                yield reader(data, name)
            except InputError as exc:
                yield BadRecord(name, str(exc))
            continue
        try:
            text = decode(data, name)
        except InputError as exc:
            yield BadRecord(name, str(exc))
            continue
        if suffix == ".jsonl" or (path == "-" and _looks_jsonl(text)):
            yield from _jsonl(text, name)
        elif suffix == ".csv":
            yield from _csv(text, name, text_column, id_column)
        else:
            yield Record(name, text, {"source": name})


_LINE = re.compile(r"[^\n]*(?:\n|$)")  # JSONL lines end with \n; a \r before it is JSON whitespace


def _looks_jsonl(text: str) -> bool:
    first = text.lstrip()[:1]
    return first == "{"


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` one at a time (a corpus file is not copied into a list of lines)."""
    return (m.group() for m in _LINE.finditer(text))


def _vanished(name: str) -> InputNotFoundError:
    """An input listed a moment ago is gone: the inputs changed under the run, which stops it."""
    return InputNotFoundError(f"{name}: input file disappeared while reading; restore it (a batch continues "
                              "with --resume)")


def _jsonl_file(path: Path, name: str) -> Iterator[Record | BadRecord]:
    """The records of a JSON Lines file, read a line at a time (a corpus file never sits in memory whole).

    JSON Lines are UTF-8 (a BOM is allowed); a line that is not is read as
    CP949, the other encoding of Korean archives, and is a bad record if it is
    not that either. A UTF-16 file (it has a BOM) is decoded whole.
    """
    try:
        fh = path.open("rb")
    except FileNotFoundError:
        raise _vanished(name) from None
    except OSError as exc:
        yield BadRecord(name, f"{name}: cannot read ({exc.strerror})")
        return
    with fh:
        head = fh.read(4)
        fh.seek(0)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            try:
                yield from _jsonl(decode(fh.read(), name), name)
            except InputError as exc:
                yield BadRecord(name, str(exc))
            return
        for n, raw in enumerate(fh, 1):
            if n == 1 and raw.startswith(codecs.BOM_UTF8):
                raw = raw[3:]
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError:
                try:
                    line = raw.decode("cp949")
                except UnicodeDecodeError:
                    yield BadRecord(f"{name}:{n}", f"{name}:{n}: not UTF-8 (JSON Lines are UTF-8)")
                    continue
            yield from _json_line(line, name, n)


def _jsonl(text: str, name: str) -> Iterator[Record | BadRecord]:
    for n, line in enumerate(_lines(text), 1):
        yield from _json_line(line, name, n)


def _json_line(line: str, name: str, n: int) -> Iterator[Record | BadRecord]:
    """The record of line ``n`` of a JSON Lines input (nothing for a blank line)."""
    if not line.strip():
        return
    where = f"{name}:{n}"
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        yield BadRecord(where, f"{where}: malformed JSON ({exc.msg})")
        return
    if not isinstance(obj, dict):
        yield BadRecord(where, f"{where}: a JSONL record must be an object")
        return
    rid = str(obj.get("id", where))
    text_value = obj.get("text")
    if not isinstance(text_value, str):
        yield BadRecord(rid, f"{where}: record {rid!r} has no string 'text'")
        return
    meta = {k: v for k, v in obj.items() if k not in ("id", "text")}
    yield Record(rid, unicodedata.normalize("NFC", text_value), meta)


def _csv(text: str, name: str, text_column: str, id_column: str | None) -> Iterator[Record | BadRecord]:
    csv.field_size_limit(sys.maxsize)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    if text_column not in fields:
        yield BadRecord(name, f"{name}: no column {text_column!r} (columns: {', '.join(fields)})")
        return
    if id_column and id_column not in fields:
        yield BadRecord(name, f"{name}: no id column {id_column!r} (columns: {', '.join(fields)})")
        return
    for n, row in enumerate(reader, 2):
        rid = str(row[id_column]) if id_column else f"{name}:{n}"
        value = row.get(text_column)
        if value is None:
            yield BadRecord(rid, f"{name}:{n}: row has no {text_column!r} value")
            continue
        meta = {k: v for k, v in row.items() if k not in (text_column, id_column) and k is not None}
        yield Record(rid, value, meta)
