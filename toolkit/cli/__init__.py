"""The ``nktk`` command line: one module per command, each a thin wrapper over the library."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from . import batch, classify, entities, evaluate, report, review, tag, tokenize, train  # noqa: F401  (registration)
from ._common import ClosedStream, app

# `nktk --help` lists the commands in a researcher's order, not alphabetically.
_ORDER = ("tokenize", "entities", "classify", "tag", "batch", "report", "review", "train", "evaluate")
app.registered_commands.sort(key=lambda command: _ORDER.index(command.name or ""))

__all__ = ["app", "main"]


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        typer.echo(f"nktk {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Bilingual (English/Korean) text mining for research on North Korean migration.

    Tokens, gazetteer entities and factor labels (structural, economic, pull,
    network) for articles, reports and testimonies.
    """


def main() -> None:
    """Console-script entry point."""
    if sys.stdout is None:  # started with standard output closed
        sys.stdout = ClosedStream()
    app()
