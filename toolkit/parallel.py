"""Analysis spread over processes: records cut into pieces, pieces to workers, results back in order.

The process that reads the records cuts each into :class:`~toolkit.analyzer.Piece` s
(the layout step, cheap) and sends chunks of pieces to the workers; a large
record's passages are spread over every worker and its pieces are put back
together in order (:meth:`~toolkit.analyzer.Analyzer.assemble`). With workers,
the reading process never loads spaCy or the model; the workers start loading
them as soon as the pool exists, while the first records are still being read.
With one worker the same chunks are analysed in the reading process itself.

Workers are spawned processes (never forked: a fork after KoNLPy's JVM started
would hang) or the workers of a Dask cluster. A spawned process re-imports the
calling script, so a script needs an ``if __name__ == "__main__":`` guard; if it
has none, the workers die while starting and :func:`analyze` raises one
:class:`~toolkit.errors.NktkError` that says so.
"""

from __future__ import annotations

import multiprocessing
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from .analyzer import Analyzer, Piece, PieceResult
from .errors import ConfigError, NktkError
from .io import BadRecord, Record
from .results import Analysis, Failure

# A chunk (one task) holds pieces of about this many characters in all, or batch_size pieces: small
# enough that two workers share one large record evenly, large enough that a task's overhead is small.
CHUNK_CHARS = 16_000

_NO_MAIN_GUARD = 3  # exit status of a spawned process that was asked to start workers while starting


def analyze(analyzer: Analyzer, records: Iterable[Record | BadRecord], *, workers: int = 1,
            scheduler: str | None = None, batch_size: int = 32,
            chunk_chars: int = CHUNK_CHARS) -> Iterator[Analysis | Failure]:
    """Analyse ``records`` with ``analyzer``'s settings, in input order, on ``workers`` processes.

    ``workers=1`` runs in this process (the same pieces and chunks, so the
    output is the same, and a large record never holds all its parsed passages
    in memory at once); more spawn that many processes; ``scheduler`` sends the
    chunks to a Dask cluster instead.

    Args:
        batch_size: at most this many pieces per task.
        chunk_chars: at most about this many characters per task.

    Raises:
        NktkError: the worker processes could not start (a script without a main guard).
    """
    if workers > 1 and _starting_a_spawned_process():
        # This is a worker re-running a script that has no main guard: leave quietly; the parent
        # sees its workers die before they were ready and explains.
        raise SystemExit(_NO_MAIN_GUARD)
    settings = analyzer.settings()
    if scheduler:
        runner = _dask(settings, scheduler)
    else:
        runner = _local(settings, workers) if workers > 1 else _inline(analyzer)
    pending: deque[Record | BadRecord] = deque()
    unread: list[Exception] = []  # an input that fails to read stops the run after what was read

    def chunks() -> Iterator[list[Piece]]:
        chunk: list[Piece] = []
        size = 0
        try:
            for record in records:
                pending.append(record)
                for piece in analyzer.cut(record, size=chunk_chars):
                    chunk.append(piece)
                    size += piece.size
                    if size >= chunk_chars or len(chunk) >= batch_size:
                        yield chunk
                        chunk, size = [], 0
        except Exception as exc:
            unread.append(exc)
        if chunk:
            yield chunk

    parts: list[PieceResult | Failure] = []
    for chunk, results in runner(chunks()):
        for piece, result in zip(chunk, results, strict=True):
            parts.append(result)
            if piece.last:
                yield analyzer.assemble(pending.popleft(), parts)
                parts = []
    if unread:
        raise unread[0]


Runner = Callable[[Iterator[list[Piece]]], Iterator[tuple[list[Piece], list[PieceResult | Failure]]]]

# --- worker side -------------------------------------------------------------------------------------

_WORKER: Analyzer | None = None


def _init_worker(settings: dict[str, Any], ready: Any = None) -> None:
    """Build the worker's analyzer; ``ready`` (an event) tells the parent this process started."""
    global _WORKER
    if ready is not None:
        ready.set()
    _WORKER = Analyzer(**settings)


def _warm_up() -> None:
    """Load the pipelines and the model (the first task of each worker, sent before any input is read)."""
    assert _WORKER is not None, "worker not initialised"
    _WORKER.warm_up()


def _run_chunk(chunk: list[Piece]) -> list[PieceResult | Failure]:
    assert _WORKER is not None, "worker not initialised"
    return _WORKER.analyze_pieces(chunk)


def _starting_a_spawned_process() -> bool:
    """True while a spawned process is still re-importing the parent's main module."""
    # the flag multiprocessing itself checks before refusing to start processes (spawn._check_not_importing_main)
    return bool(getattr(multiprocessing.current_process(), "_inheriting", False))


def _has_main_guard(path: str) -> bool:
    """Whether the script at ``path`` tests ``__name__`` (a spawned process re-imports it)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return "__main__" in fh.read()
    except OSError:
        return True  # cannot tell: do not blame the script


def _died(chunk: list[Piece]) -> list[PieceResult | Failure]:
    return [Failure(p.id, f"{p.id}: worker process died while analysing this record") for p in chunk]


def _inline(analyzer: Analyzer) -> Runner:
    """Chunks analysed in this process, one after the other."""

    def run(chunks: Iterator[list[Piece]]) -> Iterator[tuple[list[Piece], list[PieceResult | Failure]]]:
        for chunk in chunks:
            yield chunk, analyzer.analyze_pieces(chunk)

    return run


# --- local processes ---------------------------------------------------------------------------------


def _local(settings: dict[str, Any], workers: int) -> Runner:
    """Chunks through a pool of ``workers`` spawned processes, at most ``4 * workers`` in flight.

    If a worker dies (killed, out of memory), its chunk becomes error records
    and a fresh pool carries on. The pool starts, and its workers begin
    loading, before the first chunk is read.
    """
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()

    def new_pool() -> tuple[ProcessPoolExecutor, list[Future[None]]]:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=_init_worker,
                                   initargs=(settings, ready))
        return pool, [pool.submit(_warm_up) for _ in range(workers)]  # one per worker: all of them start now

    pool, warming = new_pool()

    def never_started() -> NktkError:
        main = getattr(sys.modules.get("__main__"), "__file__", None)
        if main and not _has_main_guard(main):
            return NktkError(f"worker processes died while starting: each one re-imports {main}, so put the "
                             "code that calls analyze_many(..., workers=N) under 'if __name__ == \"__main__\":'")
        return NktkError("worker processes died while starting (see the messages above)")

    def run(chunks: Iterator[list[Piece]]) -> Iterator[tuple[list[Piece], list[PieceResult | Failure]]]:
        nonlocal pool, warming
        in_flight: deque[tuple[list[Piece], Future[list[PieceResult | Failure]]]] = deque()
        try:
            while True:
                while len(in_flight) < 4 * workers and (chunk := next(chunks, None)) is not None:
                    try:
                        in_flight.append((chunk, pool.submit(_run_chunk, chunk)))
                    except BrokenProcessPool:
                        if not ready.is_set():
                            raise never_started() from None
                        pool, warming = new_pool()
                        in_flight.append((chunk, pool.submit(_run_chunk, chunk)))
                if not in_flight:
                    return
                for warm in warming:  # a set-up error (the model cannot load) stops the run
                    error = warm.exception() if warm.done() else None
                    if error is not None and not isinstance(error, BrokenProcessPool):
                        raise error
                chunk, fut = in_flight.popleft()
                try:
                    yield chunk, fut.result()
                except BrokenProcessPool:
                    if not ready.is_set():
                        raise never_started() from None
                    yield chunk, _died(chunk)
                    pool.shutdown(wait=False, cancel_futures=True)
                    pool, warming = new_pool()
                    retry = [c for c, _ in in_flight]
                    in_flight.clear()
                    for c in retry:
                        in_flight.append((c, pool.submit(_run_chunk, c)))
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    return run


# --- Dask ----------------------------------------------------------------------------------------------


def _dask(settings: dict[str, Any], scheduler: str) -> Runner:
    """The same chunks computed on a Dask cluster; each worker builds its analyzer once (a plugin)."""
    from .extras import require

    distributed = require("distributed", "dask", "--scheduler (a Dask cluster)")

    class AnalyzerPlugin(distributed.WorkerPlugin):  # type: ignore[misc, name-defined]
        name = "nktk-analyzer"

        def __init__(self, settings: dict[str, Any]) -> None:
            self.settings = settings

        def setup(self, worker: Any) -> None:
            _init_worker(self.settings)  # by reference: it sets this module's global in the worker

    try:
        client = distributed.Client(scheduler, timeout="20s")
    except OSError as exc:
        raise ConfigError(f"cannot reach Dask scheduler {scheduler}: {exc}") from None

    def run(chunks: Iterator[list[Piece]]) -> Iterator[tuple[list[Piece], list[PieceResult | Failure]]]:
        try:
            client.register_plugin(AnalyzerPlugin(settings))
            window = max(4, 4 * len(client.scheduler_info().get("workers", {})))
            in_flight: deque[tuple[list[Piece], Any]] = deque()
            while True:
                while len(in_flight) < window and (chunk := next(chunks, None)) is not None:
                    in_flight.append((chunk, client.submit(_run_chunk, chunk, pure=False)))
                if not in_flight:
                    return
                chunk, fut = in_flight.popleft()
                yield chunk, fut.result()
        finally:
            client.close()

    return run
