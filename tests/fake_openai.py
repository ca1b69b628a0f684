"""A tiny OpenAI-compatible chat completions server for tests (loopback only).

It serves a queue of scripted responses to ``POST /v1/chat/completions``:

* :func:`completion` -- a JSON chat completion whose message content is a given string;
* :func:`http_error` -- an HTTP error status with optional headers (429 + Retry-After...);
* :func:`drop` -- the connection is closed without any response;
* :func:`hang` -- no answer at all until the server stops (for client timeouts).

Every request body is recorded (``server.requests``), so tests can assert what was
sent. When the queue is empty the server answers 500 with a message saying so, which
makes an unexpected extra call fail loudly instead of hanging, unless a
``responder`` is set: a function from the request body to the scripted answer (for
answers that depend on the article, or for benchmarks). ``latency`` delays every
answer; ``max_in_flight`` is the most chat requests the server held at once.

It also fakes the Batch API: ``POST /v1/files`` (multipart upload), ``GET
/v1/files/{id}/content``, ``POST /v1/batches`` and ``GET /v1/batches/{id}``. A batch is
answered when created, line by line from the same queue or responder as chat requests
(its lines are recorded in ``batch_lines``, not in ``requests``), and reports
``in_progress`` for ``batch_polls`` status reads before ``completed``.
"""

from __future__ import annotations

import contextlib
import email.parser
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


class QuietServer(ThreadingHTTPServer):
    """A loopback server that keeps a client's hang-up to itself: tests that drop or
    time out connections on purpose would otherwise print a traceback into the run."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@dataclass
class Scripted:
    kind: str  # "completion" | "error" | "drop" | "hang"
    content: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    finish_reason: str = "stop"
    body: dict[str, Any] | None = None


def completion(
    content: str | dict[str, Any],
    *,
    prompt_tokens: int = 100,
    completion_tokens: int = 20,
    finish_reason: str = "stop",
) -> Scripted:
    """A successful completion; a dict is serialised to JSON."""
    if not isinstance(content, str):
        content = json.dumps(content)
    return Scripted(
        "completion",
        content=content,
        prompt_tokens=prompt_tokens,
        completion_tokens=completion_tokens,
        finish_reason=finish_reason,
    )


def http_error(
    status: int, *, headers: dict[str, str] | None = None, message: str | None = None
) -> Scripted:
    """An HTTP error in OpenAI's error envelope."""
    body = {
        "error": {
            "message": message or f"scripted error {status}",
            "type": "server_error" if status >= 500 else "invalid_request_error",
            "param": None,
            "code": None,
        }
    }
    return Scripted("error", status=status, headers=dict(headers or {}), body=body)


def drop() -> Scripted:
    """Close the connection without answering."""
    return Scripted("drop")


def hang() -> Scripted:
    """Never answer (until the server stops): the client's timeout fires."""
    return Scripted("hang")


class FakeOpenAI:
    """The server; start with :meth:`start`, script with :meth:`add`, read ``requests``."""

    def __init__(
        self,
        responder: Callable[[dict[str, Any]], Scripted] | None = None,
        *,
        latency: float = 0.0,
    ) -> None:
        self.queue: deque[Scripted] = deque()
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.responder = responder
        self.latency = latency
        self.in_flight = 0
        self.max_in_flight = 0
        self.first_request_at: float | None = None  # time.monotonic() of the first request
        self.last_answer_at: float | None = None  # and of the last answer
        self.files: dict[str, tuple[str, bytes]] = {}  # id -> (purpose, content)
        self.batches: dict[str, dict[str, Any]] = {}
        self.batch_lines: list[dict[str, Any]] = []
        self.batch_polls = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- scripting ---------------------------------------------------------------

    def add(self, *responses: Scripted) -> FakeOpenAI:
        with self._lock:
            self.queue.extend(responses)
        return self

    def add_json(self, *contents: str | dict[str, Any], **kwargs: Any) -> FakeOpenAI:
        return self.add(*(completion(c, **kwargs) for c in contents))

    @property
    def request_count(self) -> int:
        with self._lock:
            return len(self.requests)

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self.queue)

    def _next(self, body: dict[str, Any], path: str, headers: dict[str, str]) -> Scripted | None:
        with self._lock:
            self.requests.append(body)
            self.paths.append(path)
            self.headers.append(headers)
            if self.queue:
                return self.queue.popleft()
        return self.responder(body) if self.responder is not None else None

    def _answer(self, body: dict[str, Any], path: str, headers: dict[str, str]) -> Scripted | None:
        """The scripted answer to one chat request, after the server's latency."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            if self.first_request_at is None:
                self.first_request_at = time.monotonic()
        try:
            scripted = self._next(body, path, headers)
            if self.latency:
                self._stopping.wait(self.latency)
            return scripted
        finally:
            with self._lock:
                self.in_flight -= 1
                self.last_answer_at = time.monotonic()

    # -- the Batch API -----------------------------------------------------------

    def _add_file(self, purpose: str, content: bytes, filename: str) -> dict[str, Any]:
        with self._lock:
            file_id = f"file-fake-{len(self.files) + 1}"
            self.files[file_id] = (purpose, content)
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": filename,
            "purpose": purpose,
            "status": "processed",
        }

    def _create_batch(self, request: dict[str, Any]) -> dict[str, Any]:
        """Answer every line of the input file now; report it done after the polls."""
        _, content = self.files[request["input_file_id"]]
        outputs, errors = [], []
        for number, line in enumerate(content.decode("utf-8").splitlines()):
            item = json.loads(line)
            with self._lock:
                self.batch_lines.append(item)
                scripted = self.queue.popleft() if self.queue else None
            if scripted is None and self.responder is not None:
                scripted = self.responder(item["body"])
            result: dict[str, Any] = {"id": f"batch_req_{number}", "custom_id": item["custom_id"]}
            if scripted is not None and scripted.kind == "completion":
                body = completion_payload(scripted, item["body"], number)
                result.update(response={"status_code": 200, "body": body}, error=None)
                outputs.append(result)
            else:
                failed = scripted is not None and scripted.kind == "error"
                status = scripted.status if scripted is not None and failed else 500
                error = (scripted.body if scripted is not None else None) or {
                    "error": {"message": "fake_openai: no answer for this line"}
                }
                result.update(response={"status_code": status, "body": error}, error=None)
                errors.append(result)
        with self._lock:
            batch_id = f"batch_fake_{len(self.batches) + 1}"
        output = self._add_file("batch_output", _jsonl(outputs), "output.jsonl")["id"]
        error_file = self._add_file("batch_output", _jsonl(errors), "errors.jsonl")["id"]
        batch = {
            "id": batch_id,
            "object": "batch",
            "endpoint": request["endpoint"],
            "input_file_id": request["input_file_id"],
            "completion_window": request["completion_window"],
            "metadata": request.get("metadata"),
            "created_at": int(time.time()),
            "status": "in_progress",
            "request_counts": {"total": len(outputs) + len(errors), "completed": 0, "failed": 0},
            "_polls_left": self.batch_polls,
            "_done": {
                "output_file_id": output if outputs else None,
                "error_file_id": error_file if errors else None,
                "request_counts": {
                    "total": len(outputs) + len(errors),
                    "completed": len(outputs),
                    "failed": len(errors),
                },
            },
        }
        with self._lock:
            self.batches[batch_id] = batch
        return _public(batch)

    def _read_batch(self, batch_id: str) -> dict[str, Any] | None:
        with self._lock:
            batch = self.batches.get(batch_id)
            if batch is None:
                return None
            if batch["status"] == "in_progress":
                if batch["_polls_left"] > 0:
                    batch["_polls_left"] -= 1
                else:
                    batch.update(batch["_done"], status="completed", completed_at=int(time.time()))
            return _public(batch)

    # -- lifecycle ---------------------------------------------------------------

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> FakeOpenAI:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def _send_json(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                self.wfile.flush()

            def do_GET(self) -> None:
                path = self.path.split("?")[0].rstrip("/")
                parts = path.split("/")
                if len(parts) >= 4 and parts[-3] == "files" and parts[-1] == "content":
                    found = fake.files.get(parts[-2])
                    if found is None:
                        self._send_json(404, {"error": {"message": f"no file {parts[-2]}"}})
                        return
                    self.send_response(200)
                    self.send_header("Content-Type", "application/octet-stream")
                    self.send_header("Content-Length", str(len(found[1])))
                    self.end_headers()
                    self.wfile.write(found[1])
                    return
                if len(parts) >= 2 and parts[-2] == "batches":
                    batch = fake._read_batch(parts[-1])
                    if batch is None:
                        self._send_json(404, {"error": {"message": f"no batch {parts[-1]}"}})
                    else:
                        self._send_json(200, batch)
                    return
                self._send_json(404, {"error": {"message": f"no route {path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                path = self.path
                if path.rstrip("/").endswith("/files"):
                    fields = _multipart(self.headers.get("Content-Type", ""), raw)
                    purpose, (filename, content) = fields["purpose"][1], fields["file"]
                    self._send_json(200, fake._add_file(purpose.decode(), content, filename))
                    return
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                if path.rstrip("/").endswith("/batches"):
                    self._send_json(200, fake._create_batch(body))
                    return
                if not path.rstrip("/").endswith("/chat/completions"):
                    self._send_json(404, {"error": {"message": f"no route {path}"}})
                    return
                scripted = fake._answer(body, path, {k.lower(): v for k, v in self.headers.items()})
                if scripted is None:
                    self._send_json(
                        500,
                        {"error": {"message": "fake_openai: no scripted response left"}},
                    )
                    return
                if scripted.kind == "hang":
                    fake._stopping.wait(10)
                    self.close_connection = True
                    return
                if scripted.kind == "drop":
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(2)
                    return
                if scripted.kind == "error":
                    self._send_json(scripted.status, scripted.body or {}, scripted.headers)
                    return
                self._send_json(200, completion_payload(scripted, body, len(fake.requests)))

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


def completion_payload(scripted: Scripted, body: dict[str, Any], number: int) -> dict[str, Any]:
    """The chat completion a scripted answer stands for."""
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake-model"),
        "system_fingerprint": None,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": scripted.content},
                "logprobs": None,
                "finish_reason": scripted.finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": scripted.prompt_tokens,
            "completion_tokens": scripted.completion_tokens,
            "total_tokens": scripted.prompt_tokens + scripted.completion_tokens,
        },
    }


def _jsonl(rows: list[dict[str, Any]]) -> bytes:
    return "".join(json.dumps(row) + "\n" for row in rows).encode("utf-8")


def _public(batch: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in batch.items() if not k.startswith("_")}


def _multipart(content_type: str, raw: bytes) -> dict[str, tuple[str, bytes]]:
    """The fields of a multipart/form-data body: name -> (file name, content)."""
    message = email.parser.BytesParser().parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    )
    fields = {}
    for part in message.get_payload():  # type: ignore[union-attr]
        name = part.get_param("name", header="content-disposition")
        filename = part.get_param("filename", header="content-disposition") or ""
        fields[str(name)] = (str(filename), part.get_payload(decode=True) or b"")
    return fields


@pytest.fixture
def fake_openai(monkeypatch: pytest.MonkeyPatch) -> Any:
    """A running fake server; OPENAI_BASE_URL points at it for the test's duration."""
    server = FakeOpenAI().start()
    monkeypatch.setenv("OPENAI_BASE_URL", server.base_url)
    try:
        yield server
    finally:
        server.stop()


# -- canned articles and model outputs shared by the tests ---------------------------

#: A press release as saved to a .txt file: a leading-space ``date`` header, then the text.
ARTICLE_FILE_TEXT = (
    " date 2023-12-05 BAKU, Azerbaijan, December 5. Azerbaijani Foreign Minister Jeyhun "
    "Bayramov received a delegation led by Speaker of the Turkish Grand National Assembly "
    "Mustafa Şentop. Minister of Defense of Azerbaijan, Colonel General Zakir Hasanov, also "
    "attended the meeting. The sides discussed regional security and parliamentary "
    "cooperation and signed a memorandum on parliamentary cooperation.\n"
)
#: The article text communique works on (the header stripped).
ARTICLE_BODY = ARTICLE_FILE_TEXT.split(" ", 3)[3].strip()
ARTICLE_PUBLISHED = "2023-12-05"

OTHER_ARTICLE_TEXT = (
    "ANKARA, Türkiye, March 3. Turkish Foreign Minister Hakan Fidan held a phone call with "
    "Russian Foreign Minister Sergey Lavrov. The ministers discussed the grain corridor."
)


def person(
    name: str,
    *,
    role: str | None = None,
    org: str | None = None,
    side: str = "host",
    lead: bool = False,
) -> dict[str, Any]:
    return {"name": name, "role": role, "org": org, "side": side, "lead": lead}


def meeting_event(**overrides: Any) -> dict[str, Any]:
    """A valid draft event for :data:`ARTICLE_BODY` (visitor listed first on purpose)."""
    event: dict[str, Any] = {
        "kind": "meeting",
        "happened": True,
        "date": "December 5",
        "city": "Baku",
        "country": "Azerbaijan",
        "people": [
            person("Mustafa Sentop", role="Speaker", org="Türkiye", side="visitor", lead=True),
            person("Jeyhun Bayramov", role="Foreign Minister", org="Azerbaijan", lead=True),
            person("Zakir Hasanov", role="Minister of Defense", org="Azerbaijan"),
        ],
        "signed": ["memorandum on parliamentary cooperation"],
        "topics": ["regional security", "parliamentary cooperation"],
        "summary": "Azerbaijan's foreign minister received the Turkish speaker in Baku.",
    }
    event.update(overrides)
    return event


def draft(*events: dict[str, Any]) -> dict[str, Any]:
    """A model answer: ``{"events": [...]}`` (one valid meeting when none is given)."""
    return {"events": list(events) if events else [meeting_event()]}


def call_event(**overrides: Any) -> dict[str, Any]:
    """A valid draft event for :data:`OTHER_ARTICLE_TEXT`."""
    event: dict[str, Any] = {
        "kind": "call",
        "happened": True,
        "date": "March 3",
        "city": None,
        "country": None,
        "people": [
            person("Hakan Fidan", role="Foreign Minister", org="Türkiye", lead=True),
            person("Sergey Lavrov", role="Foreign Minister", org="Russia", side="other"),
        ],
        "signed": [],
        "topics": ["grain corridor"],
        "summary": "The Turkish and Russian foreign ministers discussed the grain corridor.",
    }
    event.update(overrides)
    return event
