"""``nktk tag``: the full analysis of each record (passages, factors, evidence, entities, tokens)."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..io import atomic_write_text, dumps, read_records
from ..io.tables import write_csv_rows
from ..results import Analysis
from ._common import (
    BackendArg,
    IdColumn,
    Inputs,
    LangArg,
    LangOpt,
    LayoutArg,
    OutPath,
    TextColumn,
    app,
    lang_value,
    user_errors,
)
from .classify import ModelOpt


class TagFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    html = "html"


@app.command("tag")
def tag_cmd(
    inputs: Inputs,
    fmt: Annotated[TagFormat, typer.Option("--format", "-f", help="Output format.")] = TagFormat.json,
    out: OutPath = None,
    tokens: Annotated[bool, typer.Option("--tokens", help="Include tokens.")] = False,
    with_text: Annotated[bool, typer.Option("--with-text", help="Include each record's text (json, jsonl).")] = False,
    lang: LangArg = LangOpt.auto,
    backend: BackendArg = None,
    model: ModelOpt = None,
    layout: LayoutArg = True,
    text_column: TextColumn = "text",
    id_column: IdColumn = None,
) -> None:
    """Analyse articles: passages with factor labels, scores and evidence, entities with ids.

    --format html writes a page to read (entities highlighted, score bars,
    evidence underlined, entity table); it opens offline.
    """
    from ..analyzer import Analyzer, Failure
    html = fmt is TagFormat.html
    analyzer = Analyzer(backend=backend, model=model, lang=lang_value(lang), tokens=tokens,
                        with_text=with_text or html, layout=layout)
    results: list[Analysis] = []
    failures: list[Failure] = []
    rows: list[dict[str, object]] = []
    with user_errors():
        for res in analyzer.analyze_many(read_records(inputs, text_column=text_column, id_column=id_column)):
            if isinstance(res, Failure):
                typer.echo(f"nktk: error: {res.error}", err=True)
                failures.append(res)
                rows.append(res.to_dict())
                continue
            results.append(res)
            rows.append(res.to_dict())
        if html:
            from ..html import render, render_errors

            title = "nktk: " + ", ".join(str(i) for i in inputs)
            text = render(results, title=title)
            if failures:
                text = text.replace("</main>", render_errors([(f.id, f.error) for f in failures]) + "</main>")
        elif fmt is TagFormat.csv:
            text = write_csv_rows(rows)
        elif fmt is TagFormat.jsonl:
            text = "".join(dumps(r) + "\n" for r in rows)
        else:
            import json

            text = json.dumps(rows[0] if len(rows) == 1 else rows, ensure_ascii=False, indent=2) + "\n"
        if out is not None:
            atomic_write_text(Path(out), text)
            typer.echo(f"wrote {out} ({len(results)} records, {len(failures)} errors)", err=True)
        else:
            sys.stdout.write(text)
    if failures:
        raise typer.Exit(1)
