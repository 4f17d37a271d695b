"""Shared CLI pieces: the app, option types and the one user-error boundary."""

from __future__ import annotations

import errno
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import NktkError
from ..io import dumps, write_json

app = typer.Typer(
    name="nktk",
    help="Bilingual (English/Korean) text mining for research on North Korean migration.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class LangOpt(str, Enum):
    auto = "auto"
    en = "en"
    ko = "ko"


Inputs = Annotated[list[str], typer.Argument(
    help="Files, folders (recursive: .txt .md .jsonl .csv .html .pdf) or - for stdin.",
    show_default=False)]
LangArg = Annotated[LangOpt, typer.Option("--lang", help="Language of every passage, or auto per passage.")]
BackendArg = Annotated[str | None, typer.Option(
    "--backend", help="Korean analyser: mecab (default), okt, komoran, hannanum, kkma, kiwi.")]
TextColumn = Annotated[str, typer.Option("--text-column", help="CSV column holding the text.")]
IdColumn = Annotated[str | None, typer.Option("--id-column", help="CSV column holding the record id.")]
LayoutArg = Annotated[bool, typer.Option(
    "--layout/--no-layout",
    help="Recover paragraphs and passage kinds from the layout (default); --no-layout takes each record "
         "as one pre-cut passage.")]
OutPath = Annotated[Path | None, typer.Option("--out", "-o", help="Write here instead of stdout.")]

class JsonOut:
    """Result records for ``--format json`` (one document at the end) or ``jsonl`` (one line each, as
    they come); other formats are written by the command itself and ignored here."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.records: list[dict[str, Any]] = []

    def add(self, record: dict[str, Any]) -> None:
        if self.fmt == "jsonl":
            sys.stdout.write(dumps(record) + "\n")
        elif self.fmt == "json":
            self.records.append(record)

    def close(self) -> None:
        if self.fmt == "json":
            write_json(self.records, sys.stdout)


def lang_value(lang: LangOpt) -> str | None:
    return None if lang is LangOpt.auto else lang.value


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn library errors and I/O failures into one line on stderr and exit status 1.

    Standard output is flushed inside the block, so a full disk or a closed
    stream behind it is reported here, not as a traceback at exit; a reader
    that stops early (``nktk ... | head``) ends the command quietly.
    """
    try:
        yield
        if sys.stdout is not None:
            sys.stdout.flush()
    except NktkError as exc:
        typer.echo(f"nktk: error: {exc}", err=True)
        raise typer.Exit(1) from None
    except BrokenPipeError:  # `nktk ... | head`
        _drop_stdout()
        raise typer.Exit(0) from None
    except OSError as exc:  # a file the library does not name itself is standard output
        where = exc.filename if exc.filename is not None else "<stdout>"
        if where == "<stdout>":
            _drop_stdout()
        typer.echo(f"nktk: error: {where}: cannot write ({exc.strerror or exc})", err=True)
        raise typer.Exit(1) from None


def _drop_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


class ClosedStream(io.TextIOBase):
    """Stands in for ``sys.stdout`` when the process was started with it closed (``nktk ... >&-``)."""

    def writable(self) -> bool:
        return True

    def write(self, s: str) -> int:
        raise OSError(errno.EBADF, "standard output is closed")
