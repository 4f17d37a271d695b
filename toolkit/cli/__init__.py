"""The ``nktk`` command line: one module per command, each a thin wrapper over the library."""

from __future__ import annotations

from typing import Annotated

import typer

from . import batch as _batch  # noqa: F401  (each import registers its command)
from . import classify as _classify  # noqa: F401
from . import entities as _entities  # noqa: F401
from . import evaluate as _evaluate  # noqa: F401
from . import report as _report  # noqa: F401
from . import tag as _tag  # noqa: F401
from . import tokenize as _tokenize  # noqa: F401
from . import train as _train  # noqa: F401
from ._common import app

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
    app()
