"""``nktk report``: a corpus overview of batch results as HTML with CSV tables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..report import write_report
from ._common import app, user_errors


@app.command("report")
def report_cmd(
    results: Annotated[Path, typer.Argument(help="Output of nktk batch (.jsonl, .csv or .parquet).",
                                            show_default=False)],
    out: Annotated[Path, typer.Option("--out", "-o", help="HTML file to write.")] = Path("report.html"),
    top: Annotated[int, typer.Option("--top", min=1, help="Rows in the top-entity tables.")] = 20,
) -> None:
    """Summarize batch results as an HTML report with CSV tables, for a paper's appendix.

    Factor shares (overall, per language, per source and year when the records
    carry them), top provinces and organizations, factors by province and factor
    co-occurrence; charts are inline SVG and the page works offline.
    """
    with user_errors():
        ov = write_report(results, out, top=top)
    typer.echo(f"wrote {out} ({ov.records} records, {ov.passages} body passages)", err=True)
