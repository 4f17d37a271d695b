"""``nktk entities``: gazetteer entities with ids, per record."""

from __future__ import annotations

import sys
from enum import Enum
from typing import Annotated

import typer

from ..io import BadRecord, read_records
from ._common import BackendArg, IdColumn, Inputs, JsonOut, LangArg, LangOpt, TextColumn, app, lang_value, user_errors


class EntFormat(str, Enum):
    json = "json"
    jsonl = "jsonl"
    tsv = "tsv"


@app.command("entities")
def entities_cmd(
    inputs: Inputs,
    lang: LangArg = LangOpt.auto,
    backend: BackendArg = None,
    fmt: Annotated[EntFormat, typer.Option("--format", "-f", help="Output format.")] = EntFormat.json,
    text_column: TextColumn = "text",
    id_column: IdColumn = None,
) -> None:
    """List the provinces, organizations and places each record names.

    Every spelling of one entity, in English or Korean, gets the same id and
    canonical name: 함경북도, 함북 and Hamgyŏng-pukto are all KP-09 North Hamgyong.
    """
    from ..entities import passage_entities
    from ..layout import NAMING
    from ..parsing import main_language, parse
    failed = False
    out = JsonOut(fmt.value)
    with user_errors():
        if fmt is EntFormat.tsv:
            sys.stdout.write("id\tstart\tend\ttext\tlabel\tcanonical\tentity_id\n")
        for rec in read_records(inputs, text_column=text_column, id_column=id_column):
            if isinstance(rec, BadRecord):
                typer.echo(f"nktk: error: {rec.error}", err=True)
                failed = True
                out.add({"id": rec.id, "error": rec.error})
                continue
            parsed = list(parse(rec.text, lang=lang_value(lang), backend=backend, entities=True, kinds=NAMING))
            ents = [e for p in parsed for e in passage_entities(p)]
            if fmt is EntFormat.tsv:
                for e in ents:
                    text = " ".join(e.text.split())
                    sys.stdout.write(f"{rec.id}\t{e.start}\t{e.end}\t{text}\t{e.label}\t{e.canonical}\t{e.id or ''}\n")
                continue
            out.add({"id": rec.id, "lang": main_language(parsed), "entities": [e.to_dict() for e in ents]})
        out.close()
    if failed:
        raise typer.Exit(1)
