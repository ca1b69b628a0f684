"""A loopback web server for tests: pages, feeds, redirects, errors, slow and huge responses.

Routes map a path to a :class:`Route`. A route may delay its answer, stream its body
without a Content-Length (so only the client's reading can notice its size), and
answer a conditional GET with 304 when the request carries its ETag. Every request's
path and headers are recorded. A path with no route answers 404, robots.txt
included (no robots.txt: everything is allowed).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from fake_openai import QuietServer


@dataclass
class Route:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    stream: bool = False
    """Send the body in 64 KB chunks with no Content-Length, then close."""
    etag: str | None = None
    """Sent as ETag; a request with If-None-Match equal to it gets 304."""


@dataclass
class Request:
    path: str
    headers: dict[str, str]


class FakeWeb:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: QuietServer | None = None
        self._thread: threading.Thread | None = None

    # -- scripting ------------------------------------------------------------------

    def route(self, path: str, route: Route) -> str:
        with self._lock:
            self.routes[path] = route
        return self.url(path)

    def page(self, path: str, html: str | bytes, **kwargs: Any) -> str:
        body = html.encode("utf-8") if isinstance(html, str) else html
        return self.route(path, Route(body=body, **kwargs))

    def feed(self, path: str, xml: str, **kwargs: Any) -> str:
        kwargs.setdefault("content_type", "application/rss+xml; charset=utf-8")
        return self.route(path, Route(body=xml.encode("utf-8"), **kwargs))

    def redirect(self, path: str, to: str, status: int = 301) -> str:
        return self.route(path, Route(status=status, headers={"Location": to}, body=b""))

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # -- lifecycle ------------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    def start(self) -> FakeWeb:
        web = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                with web._lock:
                    web.requests.append(Request(self.path, headers))
                    route = web.routes.get(self.path)
                if route is None:
                    self._send(404, b"not found", {"Content-Type": "text/plain"})
                    return
                if route.delay_s and web._stopping.wait(route.delay_s):
                    return
                extra = dict(route.headers)
                if route.etag is not None:
                    extra["ETag"] = route.etag
                    if headers.get("if-none-match") == route.etag:
                        self._send(304, b"", extra)
                        return
                extra["Content-Type"] = route.content_type
                if route.stream:
                    self._stream(route.status, route.body, extra)
                else:
                    self._send(route.status, route.body, extra)

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    with contextlib.suppress(OSError):
                        self.wfile.write(body)

            def _stream(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                with contextlib.suppress(OSError):
                    for start in range(0, len(body), 65536):
                        self.wfile.write(body[start : start + 65536])

        self._server = QuietServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None


@pytest.fixture
def fake_web() -> Iterator[FakeWeb]:
    server = FakeWeb().start()
    try:
        yield server
    finally:
        server.stop()


# -- content ---------------------------------------------------------------------------


def news_page(
    headline: str, paragraphs: list[str], *, published: str | None = None, charset: str = "utf-8"
) -> str:
    """A ministry news page: menus, cookie banner, scripts, related stories and a footer
    around one article."""
    meta = (
        f'<meta property="article:published_time" content="{published}T09:30:00+04:00">'
        if published
        else ""
    )
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html>
<html lang="en"><head><meta charset="{charset}">
<title>{headline} | Ministry of Foreign Affairs</title>
{meta}
<script>window.trackingSecret = "analytics-id-42"; document.write("Subscribe now");</script>
<style>.menu {{ color: navy; }}</style>
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/news">Press releases</a></li>
<li><a href="/contact">Contact us</a></li></ul></nav></header>
<div class="cookies">This site uses cookies. Accept all cookies to continue.</div>
<main><article>
<h1>{headline}</h1>
{body}
</article></main>
<aside class="related"><h3>Related news</h3><ul>
<li><a href="/n/1">Deputy minister attends a conference in Vienna</a></li>
<li><a href="/n/2">Statement on the anniversary of the ministry</a></li></ul></aside>
<footer><p>© 2023 Ministry of Foreign Affairs. All rights reserved.</p>
<p>Follow us on social media</p></footer>
</body></html>
"""


def rss(items: list[tuple[str, str, str]], *, title: str = "Press releases") -> str:
    """An RSS 2.0 feed of ``(title, link, YYYY-MM-DD)`` items, newest first."""
    entries = []
    for headline, link, day in items:
        year, month, dom = (int(x) for x in day.split("-"))
        when = dt.datetime(year, month, dom, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=4)))
        entries.append(
            f"<item><title>{headline}</title><link>{link}</link><guid>{link}</guid>"
            f"<pubDate>{email.utils.format_datetime(when)}</pubDate>"
            f"<description>{headline}.</description></item>"
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
        f"<title>{title}</title><link>http://127.0.0.1/</link><description>News</description>"
        + "".join(entries)
        + "</channel></rss>\n"
    )
