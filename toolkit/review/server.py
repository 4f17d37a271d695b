"""Running the review app: bind, print the one line, open the browser, stop cleanly.

The socket is bound and listening before the address is printed, so the
first request (a browser opened on that line, a test) never meets a refused
connection. Ctrl-C and SIGTERM stop the server gracefully and the process
exits 0: every save is already on disk, so there is nothing left to flush.
"""

from __future__ import annotations

import errno
import secrets
import signal
import socket
import sys
import threading
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from ..errors import ConfigError


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def new_token() -> str:
    """A fresh random token for one server's lifetime (URL-safe, 192 bits)."""
    return secrets.token_urlsafe(24)


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (``port`` 0: a free one the system picks).

    Raises:
        ConfigError: the address is taken or cannot be bound (one line naming it).
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        # with proto IPPROTO_TCP, asyncio sets TCP_NODELAY on each connection; without, Nagle's algorithm
        # holds a response's body behind its headers until the browser's delayed ACK (40 ms a request)
        sock = socket.socket(family, kind, proto or socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        why = "already in use" if exc.errno == errno.EADDRINUSE else exc.strerror or str(exc)
        raise ConfigError(f"cannot listen on {host}:{port} ({why}); pick another --port") from None
    sock.setblocking(False)
    return sock


def url_of(sock: socket.socket, token: str) -> str:
    """The address a browser opens: host, the port actually bound, and the token."""
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def serve(app: Any, sock: socket.socket, *, url: str, open_browser: bool = True,
          announce: Callable[[str], None] = print) -> None:
    """Serve ``app`` on ``sock`` until Ctrl-C or SIGTERM; ``announce`` gets the one ``Review at`` line."""
    import uvicorn

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # uvicorn re-raises a caught signal after shutting down; a review server that was
            # asked to stop has done its job, so it only stops (and the process exits 0).
            if self.should_exit and sig == signal.SIGINT:
                self.force_exit = True
            self.should_exit = True

    config = uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off",
                            timeout_graceful_shutdown=2)
    server = Server(config)
    announce(f"Review at {url}")
    if open_browser and _has_display():
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    elif open_browser:
        _stderr("nktk: no graphical display here: open the address above in a browser")
    server.run(sockets=[sock])


def run(inputs: list[str], out: Path, *, host: str = "127.0.0.1", port: int = 0, order: str = "document",
        open_browser: bool = True, model: Path | None = None, backend: str | None = None, lang: str | None = None,
        layout: bool = True, text_column: str = "text", id_column: str | None = None,
        announce: Callable[[str], None] = print, log: Callable[[str], None] = _stderr) -> None:
    """``nktk review``: hold ``out``, analyse ``inputs``, serve the app until stopped.

    ``out`` is locked first (a second server on it stops at once), then its
    earlier saves are read (the queue resumes after them), then the inputs
    are analysed and the server starts.

    Raises:
        OutputLockedError: another server holds ``out``.
        InputError: an input or ``out`` cannot be read, or nothing is left to review.
        ConfigError: the address cannot be bound.
    """
    from .. import gazetteer as _gazetteer
    from ..analyzer import Analyzer
    from ..io.lock import OutputLock
    from .app import create_app
    from .log import ReviewLog
    from .queue import build
    from .session import ReviewSession

    with _no_empty_file(out), OutputLock(out), ReviewLog(out) as review_log:
        analyzer = Analyzer(backend=backend, model=model, lang=lang, with_text=True, layout=layout)
        factor_model = analyzer.model
        thresholds = {lab: float(t) for lab, t in zip(factor_model.labels, factor_model.thresholds, strict=True)}
        items = build(inputs, analyzer=analyzer, order=order, thresholds=thresholds, text_column=text_column,
                      id_column=id_column, warn=log)
        done = sum(1 for it in items if review_log.is_saved(it.id))
        log(f"nktk: {len(items)} passages to review, {done} already in {out}")
        session = ReviewSession(items, review_log, model=str(model) if model else "bundled", thresholds=thresholds,
                                gazetteer=_gazetteer.load())
        sock = bind(host, port)
        if not _loopback(host):
            log(f"nktk: warning: {host} is not a loopback address; anyone who can reach it and has the token "
                "can read these passages")
        bound = sock.getsockname()[0]
        app = create_app(session, token := new_token(), hosts=sorted({host, bound, "127.0.0.1", "localhost"}))
        serve(app, sock, url=url_of(sock, token), open_browser=open_browser, announce=announce)
    log(f"nktk: stopped; {sum(1 for it in items if review_log.is_saved(it.id))} of {len(items)} passages "
        f"reviewed in {out}")


@contextmanager
def _no_empty_file(path: Path) -> Iterator[None]:
    """Remove ``path`` at the end if this run created it and saved nothing in it."""
    existed = path.exists()
    try:
        yield
    finally:
        if not existed and path.exists() and path.stat().st_size == 0:
            path.unlink()


def _has_display() -> bool:
    """Whether a graphical browser can open here (without one, Python's webbrowser would start a text
    browser such as lynx in the reviewer's terminal)."""
    import os

    return sys.platform in ("darwin", "win32") or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"
