"""The review web app: one page, its script and style, and a small JSON API, on Starlette.

Safe by default, since the page shows unpublished testimony and writes to the
researcher's files:

- every request carries the session's token (``?token=`` or the ``X-Nktk-Token``
  header), compared in constant time; without it the answer is 403;
- the ``Host`` header must name the loopback address the server is bound to
  (a page elsewhere cannot reach the API through DNS rebinding);
- POST bodies are JSON (``Content-Type: application/json``), at most
  :data:`MAX_BODY` bytes, and validated field by field (400 or 413 with
  ``{"error": ...}``);
- article text travels as JSON data and the page only ever sets it with
  ``textContent``; a Content-Security-Policy allows nothing but this app's
  own script and style, so no font, script or image is fetched from elsewhere.

The API:

========================  =========================================================
``GET /api/state``        the passage on screen, its draft, progress
``POST /api/save``        ``{"id", "labels": [...], "entities": [{start, end, label, canonical, id}]}``
``POST /api/skip``        ``{"id"}``
``POST /api/undo``        ``{}``: retract the latest save, bring its passage back
``GET /api/gazetteer``    ``?q=NAME&label=LABEL``: entries whose names contain NAME
========================  =========================================================

POST answers carry a ``Server-Timing`` header with the time the handler took
(the save's fsync included), which ``bench/review.py`` reads.
"""

from __future__ import annotations

import hmac
import json
import time
from collections.abc import Awaitable, Callable
from importlib.resources import files
from string import Template
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..errors import NktkError
from .session import ReviewError, ReviewSession

MAX_BODY = 64 * 1024
TOKEN_HEADER = "x-nktk-token"
_STATIC = files("toolkit.review") / "static"
_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
                                 b"img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class BadRequest(Exception):
    """A request the API refuses: answered with ``status`` and ``{"error": message}``."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class TokenGate:
    """ASGI middleware: 403 without the token; the security headers on every answer."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *_HEADERS]
            await send(message)

        if not self._allowed(scope):
            response = JSONResponse({"error": "missing or wrong token: open the address nktk review printed"},
                                    status_code=403)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)

    def _allowed(self, scope: Scope) -> bool:
        given = b""
        for name, value in scope.get("headers", []):
            if name == TOKEN_HEADER.encode():
                given = value
        if not given:
            query = Request(scope).query_params.get("token", "")
            given = query.encode("utf-8", "replace")
        return hmac.compare_digest(given, self.token)


async def _json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object, refused if it is not JSON, too large, or not an object."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise BadRequest(f"expected Content-Type: application/json, got {ctype or 'none'!r}")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise BadRequest(f"body of {declared} bytes is over the limit of {MAX_BODY}", 413)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise BadRequest(f"body is over the limit of {MAX_BODY} bytes", 413)
    try:
        obj = json.loads(body)
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("body is not JSON") from None
    if not isinstance(obj, dict):
        raise BadRequest("body must be a JSON object")
    return obj


def _string(obj: dict[str, Any], key: str, *, limit: int = 2000, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value or len(value) > limit:
        raise BadRequest(f"{key!r} must be a non-empty string of at most {limit} characters")
    return value


def _save_fields(obj: dict[str, Any]) -> tuple[str, list[str], list[dict[str, Any]]]:
    """``id``, ``labels`` and ``entities`` of a save, with their types checked (spans are the session's)."""
    rid = _string(obj, "id")
    labels = obj.get("labels")
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels) or len(labels) > 4:
        raise BadRequest("'labels' must be a list of at most four factor names")
    entities = obj.get("entities", [])
    if not isinstance(entities, list) or len(entities) > 500:
        raise BadRequest("'entities' must be a list (at most 500)")
    out = []
    for n, ent in enumerate(entities):
        if not isinstance(ent, dict):
            raise BadRequest(f"entity {n} must be an object")
        start, end = ent.get("start"), ent.get("end")
        if type(start) is not int or type(end) is not int:
            raise BadRequest(f"entity {n}: 'start' and 'end' must be integers")
        label = _string(ent, "label", limit=20)
        canonical = _string(ent, "canonical", limit=200, required=False)
        eid = _string(ent, "id", limit=200, required=False)
        out.append({"start": start, "end": end, "label": label, "canonical": canonical, "id": eid})
    assert rid is not None
    return rid, labels, out


Handler = Callable[[Request], Awaitable[Response]]


def _api(handler: Callable[[Request], Awaitable[dict[str, Any]]]) -> Handler:
    """A JSON endpoint: refusals become ``{"error"}`` answers, and the time taken a Server-Timing header."""

    async def endpoint(request: Request) -> Response:
        started = time.perf_counter()
        try:
            body = await handler(request)
        except BadRequest as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except ReviewError as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        except NktkError as exc:  # the review file cannot be written: the page says so and stays
            return JSONResponse({"error": str(exc)}, status_code=500)
        ms = (time.perf_counter() - started) * 1000
        return JSONResponse(body, headers={"server-timing": f"app;dur={ms:.2f}"})

    return endpoint


def create_app(session: ReviewSession, token: str, *, hosts: list[str] | None = None) -> Starlette:
    """The ASGI app serving ``session``, reachable only with ``token`` and through ``hosts``.

    ``hosts`` are the ``Host`` header values allowed (default: loopback names).
    """
    page = Template((_STATIC / "index.html").read_text(encoding="utf-8"))

    async def index(request: Request) -> Response:
        return HTMLResponse(page.substitute(token=token))

    async def state(request: Request) -> dict[str, Any]:
        return session.state()

    async def save(request: Request) -> dict[str, Any]:
        rid, labels, entities = _save_fields(await _json_body(request))
        session.save(rid, labels, entities)
        return session.state()

    async def skip(request: Request) -> dict[str, Any]:
        obj = await _json_body(request)
        session.skip(_string(obj, "id") or "")
        return session.state()

    async def undo(request: Request) -> dict[str, Any]:
        await _json_body(request)
        undone = session.undo()
        return {**session.state(), "undone": undone["id"] if undone else None}

    async def gazetteer(request: Request) -> dict[str, Any]:
        query = request.query_params.get("q", "")[:100]
        label = request.query_params.get("label") or None
        found = session.gazetteer.search(query, label=label, limit=12)
        exact = session.gazetteer.lookup(query) if query.strip() else None  # a name of that very entry
        return {"results": [{"id": e.id, "canonical": e.canonical, "label": e.label, "kind": e.kind,
                             "en": list(e.en[:3]), "ko": list(e.ko[:3]),
                             "exact": exact is not None and e.id == exact.id} for e in found]}

    async def not_found(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 404)
        return JSONResponse({"error": f"{request.method} {request.url.path}: not here"}, status_code=status)

    routes = [
        Route("/", index),
        Route("/api/state", _api(state)),
        Route("/api/save", _api(save), methods=["POST"]),
        Route("/api/skip", _api(skip), methods=["POST"]),
        Route("/api/undo", _api(undo), methods=["POST"]),
        Route("/api/gazetteer", _api(gazetteer)),
        Mount("/static", StaticFiles(directory=str(_STATIC)), name="static"),
    ]
    allowed = hosts or ["127.0.0.1", "localhost", "[::1]"]
    return Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found},
                     middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=allowed),
                                 Middleware(TokenGate, token=token)])
