"""``nktk classify``: factor labels, scores and evidence per passage."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from ..evaluate import FACTORS
from ..io import read_records
from ._common import (
    BackendArg,
    IdColumn,
    Inputs,
    JsonOut,
    LangArg,
    LangOpt,
    LayoutArg,
    TextColumn,
    app,
    lang_value,
    user_errors,
)


class ClsFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"


ModelOpt = Annotated[Path | None, typer.Option("--model", help="Model folder or .skops file (default: bundled).")]


@app.command("classify")
def classify_cmd(
    inputs: Inputs,
    lang: LangArg = LangOpt.auto,
    backend: BackendArg = None,
    model: ModelOpt = None,
    layout: LayoutArg = True,
    fmt: Annotated[ClsFormat, typer.Option("--format", "-f", help="Output format.")] = ClsFormat.text,
    text_column: TextColumn = "text",
    id_column: IdColumn = None,
) -> None:
    """Code each passage with the factors it speaks of: structural, economic, pull, network.

    Prints the labels at or above each factor's threshold, all four calibrated
    scores, and the words that pushed each label up (evidence).
    """
    from ..analyzer import Analyzer, Failure
    failed = False
    analyzer = Analyzer(backend=backend, model=model, lang=lang_value(lang), layout=layout)
    out = JsonOut(fmt.value)
    with user_errors():
        records = read_records(inputs, text_column=text_column, id_column=id_column)
        for result in analyzer.analyze_many(records):
            if isinstance(result, Failure):
                typer.echo(f"nktk: error: {result.error}", err=True)
                failed = True
                out.add(result.to_dict())
                continue
            out.add({"id": result.id, "lang": result.lang, "passages": [p.to_dict() for p in result.passages]})
            if fmt is ClsFormat.text:
                sys.stdout.write(f"== {result.id} [{result.lang}]\n")
                for i, p in enumerate(result.passages, 1):
                    if p.kind != "body":
                        sys.stdout.write(f"  passage {i} [{p.start}:{p.end}] {p.lang}: ({p.kind}, set aside)\n")
                        continue
                    scores = " ".join(f"{f}={p.scores[f]:.2f}" for f in FACTORS)
                    labels = ", ".join(p.labels) or "(none)"
                    sys.stdout.write(f"  passage {i} [{p.start}:{p.end}] {p.lang}: {labels}   {scores}\n")
                    for lab, ev in p.evidence.items():
                        sys.stdout.write(f"      {lab}: {', '.join(e.text for e in ev)}\n")
        out.close()
    if failed:
        raise typer.Exit(1)
