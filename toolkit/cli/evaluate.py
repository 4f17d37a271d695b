"""``nktk evaluate``: precision, recall and F1 of factors and entities against gold records."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from ..evaluate import (
    FACTORS,
    GoldDocument,
    GoldRecord,
    format_documents,
    format_report,
    format_review,
    is_document_file,
    read_documents,
    read_gold,
    score,
    score_documents,
    score_review,
)
from ..io import Record
from ..results import Analysis, Entity
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

    A review file (from ``nktk review``): agreement of the model at review
    time (each record's ``meta.model``) with the reviewer, per factor (share
    of the same decisions, Cohen's kappa) and P/R/F1 per factor and entity
    label, the reviewer's records as gold. With --model, that model is run
    on the reviewed passages instead.
    """
    from ..review.log import is_review_file

    with user_errors():
        if is_document_file(gold):
            report = evaluate_documents(read_documents(gold), backend=backend, model=model)
            typer.echo(json.dumps(report, indent=2) if as_json else format_documents(report))
            return
        records = read_gold(gold)
        if is_review_file(gold):
            review = evaluate_review(gold, records, backend=backend, model=model,
                                     warn=lambda msg: typer.echo(f"nktk: {msg}", err=True))
            typer.echo(json.dumps(review, indent=2) if as_json else format_review(review))
            return
        labels, entities = rerun(backend=backend, model=model)
        report = score(records, entities, labels)
    typer.echo(json.dumps(report, indent=2) if as_json else format_report(report))


Predictors = tuple[Callable[[GoldRecord], list[str]], Callable[[GoldRecord], list[Entity]]]


def rerun(*, backend: str | None, model: Path | None) -> Predictors:
    """Label and entity predictors that run nktk on each record as one pre-cut passage in its language."""
    from ..analyzer import Analyzer

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

    return labels, lambda rec: list(analysis(rec).entities)


def _at_review(rec: GoldRecord) -> dict[str, Any] | None:
    meta = rec.meta.get("meta")
    model = meta.get("model") if isinstance(meta, dict) else None
    return model if isinstance(model, dict) and "labels" in model else None


def evaluate_review(path: Path, records: list[GoldRecord], *, backend: str | None = None, model: Path | None = None,
                    warn: Callable[[str], None] = lambda msg: None) -> dict[str, Any]:
    """Model against reviewer on a review file: the model at review time, or ``model`` re-run."""
    if model is None and records and all(_at_review(r) is not None for r in records):
        def labels(rec: GoldRecord) -> list[str]:
            return list(_at_review(rec)["labels"])  # type: ignore[index]

        def entities(rec: GoldRecord) -> list[Entity]:
            return [Entity(e["start"], e["end"], e.get("text", ""), e["label"], e.get("canonical", ""), e.get("id"))
                    for e in _at_review(rec).get("entities", [])]  # type: ignore[union-attr]

        return score_review(records, entities, labels, compared="model at review time")
    if model is None:
        warn(f"{path}: some records do not say what the model answered (meta.model); running the bundled model")
    else:
        _warn_if_trained_on(path, model, records, warn)
    labels_now, entities_now = rerun(backend=backend, model=model)
    return score_review(records, entities_now, labels_now, compared=f"model {model or 'bundled'}")


def _warn_if_trained_on(path: Path, model: Path, records: list[GoldRecord], warn: Callable[[str], None]) -> None:
    from ..factors import CARD_FILE

    card_path = model / CARD_FILE if model.is_dir() else model.with_suffix(".card.json")
    try:
        card = json.loads(card_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    seen = {rid for src in card.get("reviewed", []) for rid in src.get("ids", [])}
    trained = sum(1 for r in records if r.id in seen)
    if trained:
        warn(f"warning: {model} was trained on {trained} of these {len(records)} reviewed passages; "
             "its agreement on them is not a fair estimate")


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
