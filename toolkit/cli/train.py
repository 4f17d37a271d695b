"""``nktk train``: build the factor model from an annotated corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ._common import BackendArg, app, user_errors


@app.command("train")
def train_cmd(
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="Folder with train/dev/test.jsonl, or one annotated JSONL file "
        "(split 70/15/15 by document). Default: corpora/factors.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Model folder to write. Default: models/.")] = None,
    realdev: Annotated[Path | None, typer.Option(
        "--realdev", help="Real published passages (ANNOTATION.md records, e.g. corpora/realdev/cache/realdev.jsonl) "
        "to score every setting on: reported on the card, never used to fit or choose.")] = None,
    backend: BackendArg = None,
) -> None:
    """Train the factor classifier (deterministic) and write it with its model card.

    Records follow ANNOTATION.md. Load the result with --model on classify, tag and batch.
    """
    from ..train import default_corpus, train

    with user_errors():
        card = train(corpus or default_corpus(), out, backend=backend, realdev=realdev,
                     log=lambda msg: typer.echo(msg, err=True))
    summary = {split: {lang: s["macro"]["f1"] for lang, s in scores.items()}
               for split, scores in card["scores"].items()}
    typer.echo(json.dumps({"thresholds": card["thresholds"], "macro_f1": summary}, indent=2))
