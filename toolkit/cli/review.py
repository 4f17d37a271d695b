"""``nktk review``: correct passages in the browser; every save is appended to an annotation file."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ._common import BackendArg, IdColumn, Inputs, LangArg, LangOpt, LayoutArg, TextColumn, app, lang_value, user_errors
from .classify import ModelOpt


class Order(str, Enum):
    document = "document"
    uncertain = "uncertain"


@app.command("review")
def review_cmd(
    inputs: Inputs,
    out: Annotated[Path, typer.Option("--out", "-o", help="Annotation file to append to (ANNOTATION.md records); "
                                      "the same file again resumes.", show_default=False)],
    order: Annotated[Order, typer.Option("--order", help="document: in reading order; uncertain: scores nearest "
                                         "their thresholds first.")] = Order.document,
    host: Annotated[str, typer.Option("--host", help="Address to listen on (keep it loopback).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: a free one).")] = 0,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the address; do not open a browser.")]
    = False,
    lang: LangArg = LangOpt.auto,
    backend: BackendArg = None,
    model: ModelOpt = None,
    layout: LayoutArg = True,
    text_column: TextColumn = "text",
    id_column: IdColumn = None,
) -> None:
    """Review the model's factors and entities passage by passage in a local web page.

    Prints one line, "Review at http://127.0.0.1:PORT/?token=TOKEN", and
    serves until Ctrl-C. Keys: 1-4 toggle factors, Enter saves, x skips,
    u undoes, ? shows the keys. Then: nktk train --corpus OUT.
    """
    from ..review.server import run

    with user_errors():
        run(list(inputs), out, host=host, port=port, order=order.value, open_browser=not no_browser, model=model,
            backend=backend, lang=lang_value(lang), layout=layout, text_column=text_column, id_column=id_column,
            announce=lambda line: typer.echo(line))
