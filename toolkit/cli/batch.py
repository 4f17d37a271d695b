"""``nktk batch``: tag a whole corpus, on all cores or a Dask cluster, resumably."""

from __future__ import annotations

import json
import logging
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ._common import BackendArg, IdColumn, Inputs, LangArg, LangOpt, LayoutArg, TextColumn, app, lang_value, user_errors
from .classify import ModelOpt


class BatchFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"


@app.command("batch")
def batch_cmd(
    inputs: Inputs,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output file (required).", show_default=False)],
    fmt: Annotated[BatchFormat, typer.Option("--format", "-f", help="jsonl: one record per line; "
                                             "csv/parquet: one row per passage.")] = BatchFormat.jsonl,
    workers: Annotated[int | None, typer.Option("--workers", "-w", min=1,
                                                help="Worker processes (default: all cores).")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Continue an interrupted run.")] = False,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace an existing output.")] = False,
    scheduler: Annotated[str | None, typer.Option("--scheduler", help="Dask scheduler, e.g. tcp://host:8786.")] = None,
    tokens: Annotated[bool, typer.Option("--tokens", help="Include tokens.")] = False,
    lang: LangArg = LangOpt.auto,
    backend: BackendArg = None,
    model: ModelOpt = None,
    layout: LayoutArg = True,
    text_column: TextColumn = "text",
    id_column: IdColumn = None,
) -> None:
    """Tag every record of a corpus into one output, one result per input record, in input order.

    A bad record becomes {"id", "error"} and the run goes on. After a crash,
    run the same command with --resume: nothing is lost or repeated.
    """
    from ..batch import run

    logging.basicConfig(level=logging.INFO, format="nktk: %(message)s")
    with user_errors():
        summary = run(inputs, out, fmt=fmt.value, workers=workers, resume=resume, overwrite=overwrite,
                      scheduler=scheduler, text_column=text_column, id_column=id_column, backend=backend,
                      model=str(model) if model else None, lang=lang_value(lang), tokens=tokens, layout=layout)
    typer.echo(json.dumps(summary.to_dict(), ensure_ascii=False), err=True)
