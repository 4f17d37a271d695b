"""Corpus runs: many records, all cores or a Dask cluster, resumable, one output line per record.

The output is written in input order, one complete JSON line per record,
handed to the kernel as it goes. That makes the output its own checkpoint:
after a crash, ``resume=True`` drops a half-written last line, counts the
complete ones and skips that many input records. A small job file next to the
output records the arguments, so a resume with different arguments is refused.
CSV and Parquet outputs are converted from that JSONL log when the run completes.

One run at a time writes an output: the run holds :class:`~toolkit.io.lock.OutputLock`
from before it looks at the output until it ends (on a Dask run, the client
holds it). Every I/O failure (a full disk, a read-only folder, an input deleted
under the run) stops the run with one :class:`~toolkit.errors.NktkError` naming
the file, and leaves the output resumable.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from .analyzer import Analyzer
from .errors import ConfigError, OutputError, OutputExistsError
from .io import atomic_write_text, dumps, read_records
from .io.lock import OutputLock
from .parallel import analyze

log = logging.getLogger("nktk.batch")
FORMATS = ("jsonl", "csv", "parquet")

# --- the job -------------------------------------------------------------------------------------------


@dataclass
class Summary:
    """What a batch run did."""

    records: int = 0
    errors: int = 0
    skipped: int = 0
    elapsed: float = 0.0
    factors: Counter[str] = field(default_factory=Counter)
    out: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "errors": self.errors, "resumed_after": self.skipped,
                "elapsed_s": round(self.elapsed, 2), "passages_per_factor": dict(sorted(self.factors.items())),
                "out": self.out}


def _job_key(inputs: Sequence[str], fmt: str, settings: dict[str, Any], text_column: str,
             id_column: str | None) -> dict[str, Any]:
    files = [str(Path(i).resolve()) if i != "-" else "-" for i in inputs]
    ident = json.dumps([files, fmt, settings, text_column, id_column], sort_keys=True)
    return {"inputs": files, "format": fmt, "settings": settings, "text_column": text_column,
            "id_column": id_column, "sha256": hashlib.sha256(ident.encode()).hexdigest()}


def _complete_lines(path: Path) -> int:
    """Count complete lines, cutting off a half-written last line in place."""
    if not path.exists():
        return 0
    with path.open("rb+") as fh:
        data = fh.read()
        keep = data.rfind(b"\n") + 1
        if keep < len(data):
            fh.truncate(keep)
    return data[:keep].count(b"\n")


def run(inputs: Sequence[str], out: Path, *, fmt: str = "jsonl", workers: int | None = None,
        resume: bool = False, overwrite: bool = False, scheduler: str | None = None,
        text_column: str = "text", id_column: str | None = None, backend: str | None = None,
        model: str | None = None, lang: str | None = None, tokens: bool = False,
        chunksize: int = 32, progress: bool | None = None, layout: bool = True) -> Summary:
    """Analyse every record of ``inputs`` into ``out``; see the module docstring for the guarantees.

    Args:
        workers: processes on this machine (default: all cores); ignored with ``scheduler``.
        resume: continue an interrupted run with the same arguments.
        overwrite: replace an existing output instead of refusing.
        scheduler: a Dask scheduler address (``tcp://host:8786``).
        progress: a progress bar (default: when stderr is a terminal; else log lines).
        layout: recover paragraphs and kinds from each record's layout (``False``: one passage per record).

    Raises:
        OutputLockedError: another run is writing ``out``.
        OutputError: ``out`` cannot be written (the output so far stays resumable).
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown batch format {fmt!r}; use {', '.join(FORMATS)}")
    if fmt == "parquet":  # before the run, not after it
        from .extras import require

        require("pyarrow.parquet", "parquet", "--format parquet")
    with OutputLock(out):
        return _run(inputs, out, fmt=fmt, workers=workers or os.cpu_count() or 1, resume=resume,
                    overwrite=overwrite, scheduler=scheduler, text_column=text_column, id_column=id_column,
                    settings=Analyzer(backend=backend, model=model, lang=lang, tokens=tokens,
                                      layout=layout).settings(),
                    chunksize=chunksize, progress=progress)


def _run(inputs: Sequence[str], out: Path, *, fmt: str, workers: int, resume: bool, overwrite: bool,
         scheduler: str | None, text_column: str, id_column: str | None, settings: dict[str, Any],
         chunksize: int, progress: bool | None) -> Summary:
    """:func:`run` once the output is locked."""
    log_path = out if fmt == "jsonl" else out.with_name(out.name + ".log.jsonl")
    job_path = out.with_name(out.name + ".nktk-job.json")
    job = _job_key(inputs, fmt, settings, text_column, id_column)
    done = 0
    if resume:
        if job_path.exists():
            previous = json.loads(job_path.read_text(encoding="utf-8"))
            if previous.get("sha256") != job["sha256"]:
                raise ConfigError(f"{out}: --resume with different arguments than the interrupted run "
                                  f"(see {job_path.name})")
        done = _complete_lines(log_path)
    elif out.exists() or log_path.exists():
        if not overwrite:
            raise OutputExistsError(f"{out}: output exists; use --resume to continue it or --overwrite")
        log_path.unlink(missing_ok=True)
        out.unlink(missing_ok=True)
    atomic_write_text(job_path, json.dumps({**job, "complete": False}, indent=2))

    summary = Summary(skipped=done, out=str(out))
    started = time.perf_counter()
    records = islice(read_records(inputs, text_column=text_column, id_column=id_column), done, None)
    # with workers, they start loading now, while the first records are read
    results = analyze(Analyzer(**settings), records, workers=workers, scheduler=scheduler, batch_size=chunksize)
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(show, done)
    try:
        fd = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise OutputError(f"{log_path}: cannot write ({exc.strerror})") from None
    try:
        for result in results:  # each line goes to the kernel as soon as it is known: a crash loses none
            row = result.to_dict()
            try:
                _write_all(fd, (dumps(row) + "\n").encode("utf-8"))
            except OSError as exc:
                raise OutputError(f"{log_path}: cannot write ({exc.strerror}); the records written so far "
                                  "are kept: run again with --resume") from None
            summary.records += 1
            if "error" in row:
                summary.errors += 1
            for p in row.get("passages", []):
                summary.factors.update(p["labels"])
            bar(1, summary)
    finally:
        os.close(fd)
    if fmt != "jsonl":
        from .io.tables import write_table

        write_table(log_path, out, fmt)
    summary.elapsed = time.perf_counter() - started
    summary.records += done
    atomic_write_text(job_path, json.dumps({**job, "complete": True, "summary": summary.to_dict()}, indent=2))
    return summary


def _write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` (a full disk shows as a short write, then an error)."""
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _progress(show: bool, initial: int) -> Any:
    """A callback ``(n, summary)``: a tqdm bar on a terminal, else a log line every 10 seconds."""
    if show:
        from tqdm import tqdm

        bar = tqdm(initial=initial, unit="rec", dynamic_ncols=True, file=sys.stderr)

        def update_bar(n: int, summary: Summary) -> None:
            bar.update(n)
            bar.set_postfix(errors=summary.errors, refresh=False)

        return update_bar
    state = {"last": time.monotonic(), "start": time.monotonic()}

    def update_log(n: int, summary: Summary) -> None:
        now = time.monotonic()
        if now - state["last"] >= 10:
            rate = summary.records / max(now - state["start"], 1e-9)
            log.info("%d records (%.1f/s), %d errors", summary.records + initial, rate, summary.errors)
            state["last"] = now

    return update_log
