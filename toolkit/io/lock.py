"""One writer per output: an exclusive lock held for a whole run.

The lock is ``fcntl.flock`` on ``<output>.nktk-lock``, a small file holding the
holder's process id. The kernel drops the lock when its holder dies (even by
``kill -9``), so a stale lock file is simply taken over; a live holder makes
the second run stop at once with its pid. The file is removed when the run
ends; a run that finds the file replaced under it (the holder removed it
between our ``open`` and ``flock``) opens it again.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from types import TracebackType

from ..errors import OutputError, OutputLockedError

log = logging.getLogger("nktk.lock")


class OutputLock:
    """Hold ``<output>.nktk-lock`` for the duration of a ``with`` block.

    Raises:
        OutputLockedError: a live process holds the lock.
        OutputError: the lock file cannot be created (a read-only folder).
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = output.with_name(output.name + ".nktk-lock")
        self._fd: int | None = None

    def __enter__(self) -> OutputLock:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{self.path.parent}: cannot create the output folder ({exc.strerror})") from None
        while True:
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise OutputError(f"{self.path}: cannot create the lock file ({exc.strerror})") from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_pid(fd)
                os.close(fd)
                raise OutputLockedError(f"{self.output}: another nktk run (pid {holder}) is writing this output; "
                                        "wait for it to finish or stop it") from None
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the previous holder removed the file after our open: lock the new one
        stale = _read_pid(fd)
        if stale:
            log.info("%s: taking over the lock of process %s, which is no longer running", self.output, stale)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._fd is None:
            return
        with contextlib.suppress(OSError):  # removed while still held: nobody can lock the old file after this
            self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None


def _read_pid(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
