"""Writing results: JSON, JSONL, CoNLL-U, TSV and readable text; atomic file writes."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from ..errors import OutputError
from ..results import Token


def dumps(obj: Any) -> str:
    """Compact JSON with Korean kept readable (no ``\\uXXXX`` escapes)."""
    return json.dumps(obj, ensure_ascii=False)


def write_json(records: Sequence[dict[str, Any]], out: TextIO) -> None:
    """One JSON document: the record itself when there is one, else a list."""
    obj: Any = records[0] if len(records) == 1 else list(records)
    out.write(json.dumps(obj, ensure_ascii=False, indent=2) + "\n")


def write_conllu(doc_id: str, text: str, sentences: Iterable[Sequence[Token]], out: TextIO) -> None:
    """CoNLL-U: ``# sent_id``, ``# text``, one line per token, ``SpaceAfter=No`` where due."""
    for n, sent in enumerate(sentences, 1):
        if not sent:
            continue
        out.write(f"# sent_id = {doc_id}-{n}\n")
        out.write(f"# text = {' '.join(text[sent[0].start:sent[-1].end].split())}\n")
        for i, tok in enumerate(sent, 1):
            nxt = sent[i].start if i < len(sent) else None
            misc = "SpaceAfter=No" if nxt is not None and nxt == tok.end else "_"
            if nxt is None:
                misc = "SpaceAfter=No" if tok.end < len(text) and not text[tok.end].isspace() else "_"
            cols = [str(i), _field(tok.text), _field(tok.lemma), tok.pos or "X",
                    _field(tok.tag), "_", "_", "_", "_", misc]
            out.write("\t".join(cols) + "\n")
        out.write("\n")


def _field(value: str) -> str:
    value = value.replace("\t", " ").replace("\n", " ").strip()
    return value or "_"


def write_text(doc_id: str, lang: str, tokens: Sequence[Token], out: TextIO) -> None:
    """A readable listing: one header line per record, then ``text/TAG(POS)`` per token."""
    out.write(f"== {doc_id} [{lang}] {len(tokens)} tokens\n")
    line: list[str] = []
    for tok in tokens:
        line.append(f"{tok.text}/{tok.tag or tok.pos}")
        if len(line) == 12:
            out.write("  " + " ".join(line) + "\n")
            line = []
    if line:
        out.write("  " + " ".join(line) + "\n")


def atomic_write_text(path: Path, content: str) -> None:
    """Write ``content`` to ``path`` through a temporary file and a rename: ``path`` is never half written.

    Raises:
        OutputError: the folder is read-only, the disk is full, ... (names ``path``).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(content)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot write ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
