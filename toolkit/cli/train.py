"""``nktk train``: build the factor model from an annotated corpus, and from a reviewer's corrections."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ._common import BackendArg, app, user_errors


@app.command("train")
def train_cmd(
    corpus: Annotated[list[Path] | None, typer.Option(
        "--corpus", help="Folder with train/dev/test.jsonl, or one annotated JSONL file (split 70/15/15 by "
        "document); or a review file of nktk review, added to the corpus with --review-weight. Repeatable: "
        "one corpus and any number of review files. Default corpus: corpora/factors.")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Model folder to write. Default: models/.")] = None,
    review_weight: Annotated[float, typer.Option(
        "--review-weight", help="Sample weight of each reviewed passage (the corpus weighs 1).")] = 3.0,
    fast: Annotated[bool, typer.Option(
        "--fast", help="One C and 2 folds: for trying things out; not for a model you ship.")] = False,
    realdev: Annotated[Path | None, typer.Option(
        "--realdev", help="Real published passages (ANNOTATION.md records, e.g. corpora/realdev/cache/realdev.jsonl) "
        "to score every setting on: reported on the card, never used to fit or choose.")] = None,
    backend: BackendArg = None,
) -> None:
    """Train the factor classifier (deterministic) and write it with its model card.

    Records follow ANNOTATION.md. `nktk train --corpus my.jsonl`, with
    my.jsonl from nktk review, trains on the bundled corpus plus the reviewed
    passages; the card names both. Load the result with --model on classify,
    tag, batch, review and evaluate.
    """
    from ..errors import InputError
    from ..review.log import is_review_file
    from ..train import default_corpus, train

    with user_errors():
        paths = corpus or []
        for path in paths:
            if not path.exists():
                raise InputError(f"{path}: no such file or directory")
        reviewed = [p for p in paths if p.is_file() and is_review_file(p)]
        bases = [p for p in paths if p not in reviewed]
        if len(bases) > 1:
            raise InputError(f"give one corpus, not {len(bases)} ({', '.join(map(str, bases))}); "
                             "review files may be added to it")
        card = train(bases[0] if bases else default_corpus(), out, backend=backend, realdev=realdev,
                     reviewed=reviewed, review_weight=review_weight, fast=fast,
                     log=lambda msg: typer.echo(msg, err=True))
    summary = {split: {lang: s["macro"]["f1"] for lang, s in scores.items()}
               for split, scores in card["scores"].items()}
    typer.echo(json.dumps({"thresholds": card["thresholds"], "macro_f1": summary}, indent=2))
