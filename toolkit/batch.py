"""Corpus runs: many records, all cores or a Dask cluster, resumable, one output line per record.

The output is written in input order, one complete JSON line per record,
flushed as it goes. That makes the output its own checkpoint: after a crash,
``resume=True`` drops a half-written last line, counts the complete ones and
skips that many input records. A small job file next to the output records the
arguments, so a resume with different arguments is refused. CSV and Parquet
outputs are converted from that JSONL log when the run completes.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import sys
import time
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import ConfigError, OutputExistsError
from .io import BadRecord, Record, atomic_write_text, dumps, read_records

if TYPE_CHECKING:
    from .analyzer import Analyzer, Failure
    from .results import Analysis

log = logging.getLogger("nktk.batch")
FORMATS = ("jsonl", "csv", "parquet")

# --- worker side -------------------------------------------------------------------------------------

_WORKER: Analyzer | None = None


def _init_worker(settings: dict[str, Any]) -> None:
    """Build the worker's analyzer once; pipelines and model load on its first record."""
    global _WORKER
    from .analyzer import Analyzer

    _WORKER = Analyzer(**settings)


def _run_chunk(chunk: Sequence[Record | BadRecord]) -> list[dict[str, Any]]:
    assert _WORKER is not None, "worker not initialised"
    return [result.to_dict() for result in _WORKER.analyze_batch(chunk)]


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def parallel_map(analyzer: Analyzer, items: Iterable[Record | BadRecord | str], *, workers: int,
                 chunksize: int = 32) -> Iterator[Analysis | Failure]:
    """Analyse ``items`` in ``workers`` spawned processes, yielding results in input order.

    Workers send back result dicts (what a batch writes, and cheap to pickle);
    they are turned back into :class:`~toolkit.results.Analysis` here.
    """
    from .analyzer import Failure
    from .results import Analysis

    records = (Record("text", i, {}) if isinstance(i, str) else i for i in items)
    for rows in _process_rows(analyzer.settings(), records, workers=workers, chunksize=chunksize):
        for row in rows:
            yield Failure(row["id"], row["error"]) if "error" in row else Analysis.from_dict(row)


def _process_rows(settings: dict[str, Any], records: Iterable[Record | BadRecord], *, workers: int,
                  chunksize: int) -> Iterator[list[dict[str, Any]]]:
    """Chunks of result rows, in input order, from a pool of spawned processes.

    At most ``4 * workers`` chunks are in flight, so memory does not grow with
    the corpus. If a worker dies (killed, out of memory), its chunk becomes
    error records and a fresh pool carries on.
    """
    ctx = multiprocessing.get_context("spawn")  # a fork after the JVM started would hang

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(settings,))

    pool = new_pool()
    pending: deque[tuple[list[Record | BadRecord], Future[list[dict[str, Any]]]]] = deque()
    source = _chunks(records, chunksize)
    try:
        while True:
            while len(pending) < 4 * workers:
                chunk = next(source, None)
                if chunk is None:
                    break
                try:
                    pending.append((chunk, pool.submit(_run_chunk, chunk)))
                except BrokenProcessPool:
                    pool = new_pool()
                    pending.append((chunk, pool.submit(_run_chunk, chunk)))
            if not pending:
                return
            chunk, fut = pending.popleft()
            try:
                yield fut.result()
            except BrokenProcessPool:
                yield [{"id": r.id, "error": f"{r.id}: worker process died while analysing this record"}
                       for r in chunk]
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
                retry = [c for c, _ in pending]
                pending.clear()
                for c in retry:
                    pending.append((c, pool.submit(_run_chunk, c)))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


# --- Dask ----------------------------------------------------------------------------------------------


def _dask_rows(settings: dict[str, Any], records: Iterable[Record | BadRecord], *, scheduler: str,
               chunksize: int) -> Iterator[list[dict[str, Any]]]:
    """The same chunks computed on a Dask cluster; each worker builds its analyzer once (a plugin)."""
    try:
        from distributed import Client, WorkerPlugin
    except ImportError as exc:  # pragma: no cover - dask is a dependency
        raise ConfigError("--scheduler needs dask[distributed]") from exc

    class AnalyzerPlugin(WorkerPlugin):  # type: ignore[misc]
        name = "nktk-analyzer"

        def __init__(self, settings: dict[str, Any]) -> None:
            self.settings = settings

        def setup(self, worker: Any) -> None:
            _init_worker(self.settings)

    try:
        client = Client(scheduler, timeout="20s")
    except OSError as exc:
        raise ConfigError(f"cannot reach Dask scheduler {scheduler}: {exc}") from None
    try:
        client.register_plugin(AnalyzerPlugin(settings))
        window = max(4, 4 * len(client.scheduler_info().get("workers", {})))
        pending: deque[Any] = deque()
        source = _chunks(records, chunksize)
        while True:
            while len(pending) < window:
                chunk = next(source, None)
                if chunk is None:
                    break
                pending.append(client.submit(_run_chunk, chunk, pure=False))
            if not pending:
                return
            yield pending.popleft().result()
    finally:
        client.close()


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
    """
    if fmt not in FORMATS:
        raise ConfigError(f"unknown batch format {fmt!r}; use {', '.join(FORMATS)}")
    from .analyzer import Analyzer

    settings = Analyzer(backend=backend, model=model, lang=lang, tokens=tokens, layout=layout).settings()
    if model is None:
        settings["model"] = None
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
    out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(job_path, json.dumps({**job, "complete": False}, indent=2))

    summary = Summary(skipped=done, out=str(out))
    started = time.perf_counter()
    records = islice(read_records(inputs, text_column=text_column, id_column=id_column), done, None)
    workers = workers or os.cpu_count() or 1
    if scheduler:
        rows: Iterator[list[dict[str, Any]]] = _dask_rows(settings, records, scheduler=scheduler,
                                                          chunksize=chunksize)
    elif workers > 1:
        rows = _process_rows(settings, records, workers=workers, chunksize=chunksize)
    else:
        analyzer = Analyzer(**settings)
        rows = ([r.to_dict() for r in analyzer.analyze_batch(chunk)] for chunk in _chunks(records, chunksize))
    show = sys.stderr.isatty() if progress is None else progress
    bar = _progress(show, done)
    with log_path.open("a", encoding="utf-8") as fh:
        for chunk in rows:
            fh.write("".join(dumps(row) + "\n" for row in chunk))
            fh.flush()
            for row in chunk:
                summary.records += 1
                if "error" in row:
                    summary.errors += 1
                for p in row.get("passages", []):
                    summary.factors.update(p["labels"])
            bar(len(chunk), summary)
    if fmt != "jsonl":
        from .io.tables import write_table

        write_table(log_path, out, fmt)
    summary.elapsed = time.perf_counter() - started
    summary.records += done
    atomic_write_text(job_path, json.dumps({**job, "complete": True, "summary": summary.to_dict()}, indent=2))
    return summary


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
