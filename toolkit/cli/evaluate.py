"""``nktk evaluate``: precision, recall and F1 of factors and entities against gold records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..analyzer import Analyzer
from ..evaluate import FACTORS, GoldRecord, format_report, read_gold, score
from ..io import Record
from ..results import Analysis
from ._common import BackendArg, app, user_errors
from .classify import ModelOpt


@app.command("evaluate")
def evaluate_cmd(
    gold: Annotated[Path, typer.Argument(help="Gold records (JSONL, ANNOTATION.md format).", show_default=False)],
    backend: BackendArg = None,
    model: ModelOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON report.")] = False,
) -> None:
    """Score nktk against annotated records (ANNOTATION.md format): factors and entities.

    Factors: precision, recall and F1 per factor, micro and macro. Entities:
    strict (exact span) and overlap, per label, and canonical-name agreement.
    Overall and per language; each gold record is one passage in its language.
    """
    with user_errors():
        records = read_gold(gold)
        analyzers = {lang: Analyzer(backend=backend, model=model, lang=lang) for lang in ("en", "ko", None)}
        cache: dict[int, Analysis] = {}

        def analysis(rec: GoldRecord) -> Analysis:
            key = id(rec)
            if key not in cache:
                lang = rec.lang if rec.lang in ("en", "ko") else None
                cache.clear()  # records are scored one after the other: keep one result
                cache[key] = analyzers[lang].analyze(Record(rec.id, rec.text, {}))
            return cache[key]

        def labels(rec: GoldRecord) -> list[str]:
            found = {lab for p in analysis(rec).passages for lab in p.labels}
            return [f for f in FACTORS if f in found]

        report = score(records, lambda rec: list(analysis(rec).entities), labels)
    typer.echo(json.dumps(report, indent=2) if as_json else format_report(report))
