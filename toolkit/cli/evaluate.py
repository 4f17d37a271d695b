"""``nktk evaluate``: precision, recall and F1 of factors and entities against gold records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ..evaluate import (
    FACTORS,
    GoldDocument,
    GoldRecord,
    format_documents,
    format_report,
    is_document_file,
    read_documents,
    read_gold,
    score,
    score_documents,
)
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
    """Score nktk against annotated records (ANNOTATION.md format): factors and entities, or whole documents.

    Passage records: precision, recall and F1 per factor, micro and macro;
    entities strict (exact span) and overlap, per label, and canonical-name
    agreement. Overall and per language; each record is one pre-cut passage.

    Document records (with gold ``passages``): paragraph boundary P/R/F1 (ends
    within 2 characters), boilerplate precision and recall, body paragraphs
    set aside, and factor macro-F1 on the whole documents beside the same
    paragraphs pre-cut.
    """
    from ..analyzer import Analyzer

    with user_errors():
        if is_document_file(gold):
            report = evaluate_documents(read_documents(gold), backend=backend, model=model)
            typer.echo(json.dumps(report, indent=2) if as_json else format_documents(report))
            return
        records = read_gold(gold)
        analyzers = {lang: Analyzer(backend=backend, model=model, lang=lang, layout=False)
                     for lang in ("en", "ko", None)}
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


def evaluate_documents(docs: list[GoldDocument], *, backend: str | None = None,
                       model: Path | None = None) -> dict[str, object]:
    """Score whole documents: layout and factors on the documents, factors on their pre-cut paragraphs."""
    from ..analyzer import Analyzer

    whole = Analyzer(backend=backend, model=model)
    precut = Analyzer(backend=backend, model=model, layout=False)

    def analyze(doc: GoldDocument) -> Analysis:
        return whole.analyze(Record(doc.id, doc.text, {}))

    def labels(doc: GoldDocument, texts: list[str]) -> list[list[str]]:
        out = precut.analyze_batch([Record(f"{doc.id}:{n}", t, {}) for n, t in enumerate(texts)])
        return [[lab for p in r.passages for lab in p.labels] if isinstance(r, Analysis) else [] for r in out]

    return score_documents(docs, analyze, labels)
