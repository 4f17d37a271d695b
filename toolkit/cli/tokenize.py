"""``nktk tokenize``: tokens with offsets, POS and lemma."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from ..io import BadRecord, read_records, write_conllu, write_text
from ._common import BackendArg, IdColumn, Inputs, JsonOut, LangArg, LangOpt, TextColumn, app, lang_value, user_errors


class TokFormat(str, Enum):
    text = "text"
    json = "json"
    jsonl = "jsonl"
    conllu = "conllu"


@app.command("tokenize")
def tokenize_cmd(
    inputs: Inputs,
    lang: LangArg = LangOpt.auto,
    backend: BackendArg = None,
    fmt: Annotated[TokFormat, typer.Option("--format", "-f", help="Output format.")] = TokFormat.text,
    text_column: TextColumn = "text",
    id_column: IdColumn = None,
) -> None:
    """Split each record into tokens with exact character offsets, POS tag and lemma.

    Korean goes through a KoNLPy analyser (morphemes: 함경북도 / 에서), English
    through spaCy. Example: printf '함경북도에서 왔다' | nktk tokenize - --format json
    """
    from ..parsing import main_language, parse

    failed = False
    out = JsonOut(fmt.value)
    with user_errors():
        for rec in read_records(inputs, text_column=text_column, id_column=id_column):
            if isinstance(rec, BadRecord):
                typer.echo(f"nktk: error: {rec.error}", err=True)
                failed = True
                out.add({"id": rec.id, "error": rec.error})
                continue
            passages = list(parse(rec.text, lang=lang_value(lang), backend=backend))
            rec_lang = main_language(passages)
            if fmt is TokFormat.conllu:
                for p in passages:
                    write_conllu(f"{rec.id}-p{passages.index(p) + 1}", rec.text, p.sentences(), sys.stdout)
                continue
            tokens = [t for p in passages for t in p.tokens()]
            if fmt is TokFormat.text:
                write_text(rec.id, rec_lang, tokens, sys.stdout)
                continue
            out.add({"id": rec.id, "lang": rec_lang, "tokens": [t.to_dict() for t in tokens]})
        out.close()
    if failed:
        raise typer.Exit(1)
