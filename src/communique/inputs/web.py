"""Fetching web pages and feeds over HTTP(S) with httpx, politely and within limits.

Every request carries communique's user agent and goes through the site's
robots.txt (fetched once per site and run). A response is read in chunks and
abandoned past :attr:`FetchPolicy.max_bytes` or :attr:`FetchPolicy.timeout_s`;
redirects are followed by hand, up to :attr:`FetchPolicy.max_redirects`, each hop
checked against its own site's robots.txt. ``etag`` and ``last_modified`` make the
request conditional (a feed that has not changed answers 304 with no body).

Failures raise :class:`~communique.errors.FetchError` with a message naming the URL's problem; the
readers turn it into an error record, so one dead link never stops a batch.
"""

from __future__ import annotations

import time
import urllib.robotparser
from dataclasses import dataclass, field
from email.message import Message
from importlib import metadata
from types import TracebackType
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from communique.errors import FetchError

if TYPE_CHECKING:
    import httpx

REDIRECTS = frozenset({301, 302, 303, 307, 308})
_ROBOTS_MAX_BYTES = 512_000


def default_user_agent() -> str:
    try:
        version = metadata.version("communique")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
        version = "0"
    return f"communique/{version} (meeting-record extractor; respects robots.txt)"


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one fetch. ``timeout_s`` bounds the connection, each read and the
    whole download."""

    timeout_s: float = 20.0
    max_bytes: int = 5_000_000
    max_redirects: int = 5
    user_agent: str = field(default_factory=default_user_agent)
    obey_robots: bool = True


@dataclass(frozen=True)
class Fetched:
    """A fetched resource: ``status`` is 200 or, for a conditional request, 304."""

    url: str
    final_url: str
    status: int
    body: bytes = b""
    content_type: str = ""
    charset: str | None = None
    etag: str | None = None
    last_modified: str | None = None


def is_url(value: str) -> bool:
    return value.lower().startswith(("http://", "https://"))


class Fetcher:
    """One HTTP client for a run; use as a context manager or call :meth:`close`."""

    def __init__(
        self, policy: FetchPolicy | None = None, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.policy = policy or FetchPolicy()
        self._transport = transport
        self._client: httpx.Client | None = None
        self._robots: dict[str, urllib.robotparser.RobotFileParser | str] = {}

    @property
    def client(self) -> httpx.Client:
        import httpx  # slow to import: only when a URL is read

        if self._client is None:
            self._client = httpx.Client(
                timeout=httpx.Timeout(self.policy.timeout_s),
                follow_redirects=False,
                headers={"User-Agent": self.policy.user_agent},
                transport=self._transport,
            )
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- fetching ---------------------------------------------------------------------

    def get(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> Fetched:
        """GET ``url`` following redirects; raises :class:`FetchError`."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _ in range(self.policy.max_redirects + 1):
            _check_url(url, current)
            if self.policy.obey_robots and not self.allowed(current):
                where = "" if current == url else f" (redirected to {current})"
                raise FetchError(url, f"robots.txt of the site disallows fetching it{where}")
            status, location, response = self._get_once(url, current, headers)
            if status in REDIRECTS:
                if not location:
                    raise FetchError(url, f"HTTP {status} redirect without a Location")
                try:
                    current = urljoin(current, location)
                except ValueError as exc:
                    raise FetchError(url, f"HTTP {status} redirect to an invalid URL") from exc
                continue
            assert response is not None
            return response
        raise FetchError(url, f"more than {self.policy.max_redirects} redirects")

    def _get_once(
        self, url: str, current: str, headers: dict[str, str]
    ) -> tuple[int, str | None, Fetched | None]:
        import httpx

        policy = self.policy
        deadline = time.monotonic() + policy.timeout_s
        try:
            with self.client.stream("GET", current, headers=headers) as reply:
                status = reply.status_code
                if status in REDIRECTS:
                    return status, reply.headers.get("location"), None
                if status == 304:
                    etag, modified = _validators(reply)
                    return status, None, Fetched(url, current, 304, b"", "", None, etag, modified)
                if status >= 400:
                    reason = reply.reason_phrase or ""
                    raise FetchError(url, f"HTTP {status} {reason}".rstrip())
                if status != 200:
                    raise FetchError(url, f"HTTP {status}: expected 200 OK")
                body = _read_capped(reply, url, policy.max_bytes, deadline, policy.timeout_s)
                content_type, charset = _content_type(reply.headers.get("content-type", ""))
                etag, modified = _validators(reply)
                fetched = Fetched(url, current, status, body, content_type, charset, etag, modified)
                return status, None, fetched
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out after {policy.timeout_s:g} s") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"not a valid URL ({exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"cannot fetch it: {_describe(exc)}") from exc

    # -- robots.txt ---------------------------------------------------------------------

    def allowed(self, url: str) -> bool:
        """Whether the site's robots.txt lets communique's user agent fetch ``url``.

        As RFC 9309 says: no robots.txt (4xx) allows everything; a server error
        (5xx) while reading it disallows everything for this run.
        """
        parts = urlsplit(url)  # checked by _check_url first
        origin = f"{parts.scheme}://{parts.netloc}"
        rules = self._robots.get(origin)
        if rules is None:
            rules = self._read_robots(url, origin)
            self._robots[origin] = rules
        if isinstance(rules, str):
            raise FetchError(url, rules)
        return rules.can_fetch(self.policy.user_agent, url)

    def _read_robots(self, url: str, origin: str) -> urllib.robotparser.RobotFileParser | str:
        """The site's rules, or the problem that forbids fetching from it in this run."""
        import httpx

        rules = urllib.robotparser.RobotFileParser(origin + "/robots.txt")
        deadline = time.monotonic() + self.policy.timeout_s
        try:
            with self.client.stream("GET", origin + "/robots.txt") as reply:
                status = reply.status_code
                if 400 <= status < 500 or status in REDIRECTS:
                    rules.parse([])  # no rules: everything allowed
                elif status != 200:
                    return (
                        f"the site's robots.txt answered HTTP {status}, which means "
                        "no crawling for now (RFC 9309)"
                    )
                else:
                    body = _read_capped(
                        reply, url, _ROBOTS_MAX_BYTES, deadline, self.policy.timeout_s
                    )
                    rules.parse(body.decode("utf-8", "replace").splitlines())
        except FetchError:
            rules.parse([])  # an oversized robots.txt: taken as no rules
        except httpx.TimeoutException as exc:
            raise FetchError(url, f"timed out after {self.policy.timeout_s:g} s") from exc
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"not a valid URL ({exc})") from exc
        except httpx.HTTPError as exc:
            raise FetchError(url, f"cannot fetch it: {_describe(exc)}") from exc
        return rules


def _check_url(url: str, current: str) -> None:
    import httpx

    where = "it" if current == url else f"the redirect target {current!r}"
    try:
        parts = urlsplit(current)
        httpx.URL(current)
    except (ValueError, httpx.InvalidURL) as exc:
        raise FetchError(url, f"{where} is not a valid URL ({exc})") from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(url, f"{where} is not an http(s) URL")


def _read_capped(
    reply: httpx.Response, url: str, max_bytes: int, deadline: float, timeout_s: float
) -> bytes:
    length = reply.headers.get("content-length")
    if length and length.isdigit() and int(length) > max_bytes:
        raise FetchError(url, f"the response is {int(length):,} bytes, over the {max_bytes:,} cap")
    chunks: list[bytes] = []
    total = 0
    for chunk in reply.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise FetchError(url, f"the response is over the {max_bytes:,}-byte cap")
        if time.monotonic() > deadline:
            raise FetchError(url, f"timed out after {timeout_s:g} s")
        chunks.append(chunk)
    return b"".join(chunks)


def _content_type(header: str) -> tuple[str, str | None]:
    if not header.strip():
        return "", None
    message = Message()
    message["content-type"] = header
    charset = message.get_param("charset")
    return message.get_content_type(), charset if isinstance(charset, str) else None


def _validators(reply: httpx.Response) -> tuple[str | None, str | None]:
    return reply.headers.get("etag"), reply.headers.get("last-modified")


def _describe(exc: httpx.HTTPError) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) < 200 else text[:200] + "…"
