"""The OpenAI Batch API: many articles in one asynchronous job, answered within 24 hours.

``submit`` writes the first model call of every article not yet cached (each chunk's,
for a long article) as one line of Batch JSONL, with the article's cache key as
``custom_id`` (``key:n`` for the n-th chunk), exactly as the normal path would send
it, uploads the file and creates the batch; the articles' texts go to the article
store and the batch to the batch store. ``collect`` downloads the answers of every
round into the batch store and runs the normal path on every article, each request
answered from the rounds' answers: the answer is validated as any answer is. A
request no round has answered yet (the re-ask of an invalid answer, a follow-up turn,
the roles turn, a line a round left unanswered) stops that article's conversation
where it is (:class:`Deferred`) and goes into the next round, a new batch; the
articles whose conversations ended get their records, in the result cache, so
``summarise`` and ``brief`` then run from it. Replaying a conversation from its
answers costs no model call, so the state kept between rounds is only the answers.
With ``live=True`` those requests are sent live instead, as before rounds existed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final

from communique.errors import ConfigError
from communique.extract.backends.base import ANSWERED_IN_ROUND, Backend, WrappedBackend
from communique.extract.pipeline import Summariser
from communique.inputs import Article, InputProblem, Item
from communique.store.batches import BatchInfo, BatchRequest, BatchStore

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletion

    from communique.extract.backends.openai_compat import OpenAIBackend
    from communique.extract.pipeline import FirstCall
    from communique.schema import ArticleRecord

logger = logging.getLogger("communique")

ENDPOINT: Final = "/v1/chat/completions"
COMPLETION_WINDOW: Final = "24h"
#: the Batch API's limits on one input file: 50,000 requests, 200 MB
MAX_REQUESTS = 50_000
MAX_BYTES = 190_000_000
#: a batch in one of these states will not change any more
FINAL = frozenset({"completed", "failed", "expired", "cancelled"})


def fingerprint(messages: list[dict[str, Any]]) -> str:
    """What identifies a request among a batch's: the conversation it sends."""
    canonical = json.dumps(messages, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def openai_backend(backend: Backend) -> OpenAIBackend:
    from communique.extract.backends.openai_compat import OpenAIBackend

    inner = getattr(backend, "inner", backend)
    if not isinstance(inner, OpenAIBackend):
        raise ConfigError(
            "the Batch API needs a remote model: use --model openai:NAME (OpenAI, or a "
            "server with OPENAI_BASE_URL that implements /v1/files and /v1/batches)"
        )
    return inner


# -- the requests ---------------------------------------------------------------------------


class _Captured(Exception):
    """Raised by :class:`_CaptureBackend` once it holds the request."""


class _CaptureBackend(Backend):
    """Takes the request the normal path sends (after instructor has added the schema)
    and sends nothing."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.kind = inner.kind
        self.captured: list[dict[str, Any]] = []

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def create(self, **kwargs: Any) -> ChatCompletion:
        self.captured.append(kwargs)
        raise _Captured()


@contextmanager
def _quiet_instructor() -> Iterator[None]:
    """instructor logs every failed call at ERROR; a captured request is no failure."""
    log = logging.getLogger("instructor")
    level = log.level
    log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        log.setLevel(level)


def request_body(summariser: Summariser, call: FirstCall) -> dict[str, Any]:
    """The chat completion request the normal path sends for ``call``, as a JSON body."""
    from communique.errors import CommuniqueError
    from communique.extract.modelcall import CallLog, ModelCaller
    from communique.extract.retry import RetryPolicy

    capture = _CaptureBackend(summariser.backend)
    caller = ModelCaller(capture, RetryPolicy(attempts=1), 0)
    with _quiet_instructor(), suppress(CommuniqueError):
        caller.call(
            call.response_model,
            call.messages,
            summariser.prompt.params,
            CallLog(),
            call.part.folded,
        )
    if not capture.captured:  # pragma: no cover - the normal path always sends one
        raise RuntimeError("no request was made")
    return openai_backend(summariser.backend).request(**capture.captured[0])


@dataclass
class Plan:
    """The lines of a batch, the articles they are for, and what was left out, why."""

    lines: list[dict[str, Any]] = field(default_factory=list)
    requests: list[BatchRequest] = field(default_factory=list)
    articles: list[Article] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def add(
        self, custom_id: str, body: dict[str, Any], key: str, position: int, article: Article
    ) -> None:
        """One line: its request ``body``, and what the store keeps of it."""
        self.lines.append({"custom_id": custom_id, "method": "POST", "url": ENDPOINT, "body": body})
        self.requests.append(
            BatchRequest(
                custom_id=custom_id,
                position=position,
                fingerprint=key,
                article_id=article.id,
                article=_article_fields(article),
            )
        )


def plan(summariser: Summariser, items: Iterable[Item]) -> Plan:
    """Batch lines for every article of ``items`` not already cached."""
    openai_backend(summariser.backend)
    result = Plan()
    keys: set[str] = set()
    for item in items:
        if isinstance(item, InputProblem):
            result.skipped["unreadable"] += 1
            continue
        if len(item.text) > summariser.max_article_chars:
            result.skipped["longer than --max-article-chars"] += 1
            continue
        if summariser.is_cached(item):
            result.skipped["already cached"] += 1
            continue
        key = summariser.key_for(item)
        if key in keys:
            result.skipped["given twice"] += 1
            continue
        keys.add(key)
        calls = summariser.first_calls(item)
        position = len(result.articles)
        result.articles.append(item)
        for index, call in enumerate(calls):
            custom_id = key if len(calls) == 1 else f"{key}:{index}"
            body = request_body(summariser, call)
            result.add(custom_id, body, fingerprint(call.messages), position, item)
    return result


def _article_fields(article: Article) -> dict[str, Any]:
    return {
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "external_id": article.external_id,
        "encoding": article.encoding,
        "title": article.title,
        "url": article.url,
        "feed": article.feed,
    }


def _article(fields: dict[str, Any], text: str) -> Article:
    import datetime as dt

    published = fields.get("published")
    return Article(
        text=text,
        **{k: v for k, v in fields.items() if k != "published"},
        published=dt.date.fromisoformat(published) if published else None,
    )


# -- submitting -----------------------------------------------------------------------------


def settings_of(summariser: Summariser) -> dict[str, Any]:
    """What ``collect`` needs to rebuild the same cache keys."""
    return {
        "max_reasks": summariser.max_reasks,
        "constrain": summariser.constrain,
        "max_chars": summariser.max_chars,
        "max_article_chars": summariser.max_article_chars,
        "refresh": summariser.refresh,
    }


def _parts(result: Plan) -> list[tuple[int, int]]:
    """Line ranges of at most MAX_REQUESTS lines and MAX_BYTES, cut between articles."""
    parts: list[tuple[int, int]] = []
    start = size = 0
    for index, line in enumerate(result.lines):
        length = len(json.dumps(line, ensure_ascii=False).encode("utf-8")) + 1
        new_article = index == 0 or (
            result.requests[index].position != result.requests[index - 1].position
        )
        if (
            new_article
            and index > start
            and (index - start >= MAX_REQUESTS or size + length > MAX_BYTES)
        ):
            parts.append((start, index))
            start, size = index, 0
        size += length
    if start < len(result.lines):
        parts.append((start, len(result.lines)))
    return parts


def submit(
    summariser: Summariser,
    result: Plan,
    store: BatchStore | None = None,
    *,
    job: str | None = None,
    round_number: int = 1,
) -> list[BatchInfo]:
    """Upload the plan's lines and create one batch per file (more than one past the
    Batch API's limits on a file); keep the articles' texts and the batches."""
    store = store or BatchStore()
    client = openai_backend(summariser.backend).client
    for article in result.articles:
        summariser.articles.put(
            article.id, article.text, article.source, article.published, article.meta()
        )
    created = []
    for start, end in _parts(result):
        content = "".join(
            json.dumps(line, ensure_ascii=False) + "\n" for line in result.lines[start:end]
        )
        upload = client.files.create(
            file=("communique-batch.jsonl", content.encode("utf-8")), purpose="batch"
        )
        batch = client.batches.create(
            input_file_id=upload.id,
            endpoint=ENDPOINT,
            completion_window=COMPLETION_WINDOW,
            metadata={"tool": "communique", "prompt": summariser.prompt.id},
        )
        requests = result.requests[start:end]
        info = BatchInfo(
            id=batch.id,
            model=summariser.backend.model_id,
            prompt=summariser.prompt.id,
            prompt_sha256=summariser.prompt.sha256,
            settings=settings_of(summariser),
            input_file=upload.id,
            requests=len(requests),
            articles=len({r.position for r in requests}),
            status=batch.status,
            lines=requests,
            job=job,
            round=round_number,
        )
        store.add(info)
        created.append(info)
    return created


# -- status and collecting ------------------------------------------------------------------


def _client(info: BatchInfo) -> OpenAI:
    from communique.extract.backends import get_backend

    return openai_backend(get_backend(info.model)).client


def refresh(info: BatchInfo, store: BatchStore | None = None) -> dict[str, Any]:
    """The batch's state as the API reports it now (also kept in the store)."""
    store = store or BatchStore()
    remote = _client(info).batches.retrieve(info.id)
    store.update(
        info.id,
        status=remote.status,
        output_file=remote.output_file_id,
        error_file=remote.error_file_id,
    )
    counts = remote.request_counts
    return {
        "id": info.id,
        "status": remote.status,
        "total": counts.total if counts else info.requests,
        "completed": counts.completed if counts else 0,
        "failed": counts.failed if counts else 0,
        "output_file": remote.output_file_id,
        "error_file": remote.error_file_id,
    }


class BatchNotReady(ConfigError):
    """The batch is still being answered."""

    kind = "batch"


class Deferred(BaseException):
    """Raised by a :class:`ReplayBackend` in rounds: the article's next turn is a
    request no round has answered yet; it goes into the next round.

    A BaseException, so that no retry, re-ask or error record of the normal path
    takes it for a failure: it leaves the article's summarise as it is."""

    def __init__(self, request: dict[str, Any]) -> None:
        super().__init__("the next turn waits for the next round")
        self.request = request


class ReplayBackend(WrappedBackend):
    """Answers a request from a batch's answers when one of its rounds carried it (the
    same conversation). Any other (a re-ask, a follow-up) goes to the backend live, or,
    in rounds (``defer=True``), raises :class:`Deferred` for the next round."""

    def __init__(
        self,
        inner: Backend,
        answers: dict[str, list[tuple[int, ChatCompletion]]],
        *,
        defer: bool = False,
    ) -> None:
        super().__init__(inner)
        self.answers = answers
        self.defer = defer
        self.replayed = 0
        self.live = 0
        self._lock = threading.Lock()

    def create(self, **kwargs: Any) -> ChatCompletion:
        key = fingerprint(kwargs.get("messages", []))
        with self._lock:
            waiting = self.answers.get(key)
            if self.defer:  # every round's answers stay: a conversation may be replayed
                answer = waiting[0] if waiting else None
            else:
                answer = waiting.pop(0) if waiting else None  # two chunks may read the same
            if answer is not None:
                self.replayed += 1
            elif not self.defer:
                self.live += 1
        if answer is not None:
            number, completion = answer
            ANSWERED_IN_ROUND.set(number)
            return completion
        if self.defer:
            raise Deferred(kwargs)
        return self.inner.create(**kwargs)


#: a request the rounds carried this many times without an answer fails its article
MAX_TRIES = 3


@dataclass
class Collection:
    """A batch's answers turned into records (run :meth:`records` to get them).

    In rounds (no ``--live``), articles whose next turn no round has answered yet
    wait: their requests are submitted as the next round (:attr:`next_round`), and
    the job is collected again when that round is done."""

    info: BatchInfo
    summariser: Summariser
    backend: ReplayBackend
    failed_lines: int
    store: BatchStore
    #: every round of the job so far (first round first)
    rounds: list[BatchInfo] = field(default_factory=list)
    #: the round submitted by :meth:`records` for the articles still waiting
    next_round: list[BatchInfo] = field(default_factory=list)
    #: articles waiting for the next round
    waiting: int = 0

    def items(self) -> list[Item]:
        """The job's articles, in submission order (their texts from the article store)."""
        texts = self.summariser.articles
        items: list[Item] = []
        seen: set[int] = set()
        for line in self.rounds[0].lines if self.rounds else self.info.lines:
            if line.position in seen:
                continue
            seen.add(line.position)
            stored = texts.get(line.article_id)
            if stored is None:
                source = str(line.article.get("source"))
                items.append(
                    InputProblem(
                        source,
                        f"the text of article {line.article_id} is not in the article store "
                        f"({texts.path}); submit it again",
                    )
                )
            else:
                items.append(_article(line.article, stored.text))
        return items

    def records(
        self, on_record: Callable[[ArticleRecord], None] | None = None
    ) -> Iterator[ArticleRecord]:
        """One record per article of the job that is done, in submission order, each
        cached; in rounds, the requests of the articles still waiting are submitted as
        the next round."""
        items = self.items()
        if not self.backend.defer:
            yield from self.summariser.summarise_many(items, on_record=on_record)
            self.store.update(self.info.id, status=self.info.status, collected=True)
            return
        yield from self._in_rounds(items, on_record)

    def _in_rounds(
        self, items: list[Item], on_record: Callable[[ArticleRecord], None] | None
    ) -> Iterator[ArticleRecord]:
        from communique.errors import CommuniqueError
        from communique.extract.concurrency import ordered_map
        from communique.extract.records import article_info, error_record

        tries = Counter(line.fingerprint for batch in self.rounds for line in batch.lines)
        pending: list[tuple[Article, dict[str, Any]]] = []

        def one(item: Item) -> ArticleRecord | None:
            try:
                record = self.summariser.summarise(item)
            except Deferred as deferred:
                assert isinstance(item, Article)
                key = fingerprint(deferred.request.get("messages", []))
                if tries[key] < MAX_TRIES:
                    pending.append((item, deferred.request))
                    return None
                error = CommuniqueError(
                    f"the batch left a request of this article unanswered {tries[key]} times"
                )
                error.kind = "endpoint"
                record = error_record(article_info(item, None), error)
            if on_record is not None:
                on_record(record)
            return record

        tasks = [partial(one, item) for item in items]
        for record in ordered_map(iter(tasks), self.summariser.jobs):
            if record is not None:
                yield record
        self.waiting = len(pending)
        if pending:
            self.next_round = submit_round(self.summariser, self.rounds, pending, self.store)
        else:
            self.store.update(self.info.id, status=self.info.status, collected=True)


def submit_round(
    summariser: Summariser,
    rounds: list[BatchInfo],
    pending: list[tuple[Article, dict[str, Any]]],
    store: BatchStore,
) -> list[BatchInfo]:
    """Submit the next round of a job: one line per request still waiting (a request
    two articles wait for goes once)."""
    first = rounds[0]
    number = max(batch.round for batch in rounds) + 1
    positions = {line.article_id: line.position for line in first.lines}
    result = Plan()
    sent: set[str] = set()
    backend = openai_backend(summariser.backend)
    for article, request in sorted(pending, key=lambda p: positions.get(p[0].id, 0)):
        key = fingerprint(request.get("messages", []))
        if key in sent:
            continue
        sent.add(key)
        custom_id = f"r{number}:{key[:32]}"
        body = backend.request(**request)
        result.add(custom_id, body, key, positions.get(article.id, 0), article)
    return submit(summariser, result, store, job=first.id, round_number=number)


def collect(
    info: BatchInfo,
    make_summariser: Callable[[Backend], Summariser],
    store: BatchStore | None = None,
    *,
    live: bool = False,
) -> Collection:
    """Download a finished round's answers, ready to be turned into records.

    Without ``live``, nothing is sent live: an invalid answer's re-ask, a follow-up
    turn, a roles turn and a line a round left unanswered go into the next round,
    which :meth:`Collection.records` submits. With ``live``, they are sent live when
    the records are made, as one conversation each.
    """
    from openai.types.chat import ChatCompletion

    from communique.extract.backends import get_backend

    store = store or BatchStore()
    first = store.get(info.job_id, lines=True) or info
    backend = get_backend(first.model)
    client = openai_backend(backend).client
    rounds = store.rounds(first.id) or [first]
    failed = 0
    for batch in rounds:
        if batch.downloaded is not None:
            continue
        remote = client.batches.retrieve(batch.id)
        store.update(
            batch.id,
            status=remote.status,
            output_file=remote.output_file_id,
            error_file=remote.error_file_id,
        )
        batch.status = remote.status
        if remote.status not in FINAL:
            counts = remote.request_counts
            done = (
                f" ({counts.completed + counts.failed} of {counts.total} answered)"
                if counts
                else ""
            )
            label = f"batch {batch.id}" if batch.round == 1 else f"round {batch.round} ({batch.id})"
            raise BatchNotReady(f"{label} is {remote.status}{done}: collect it when completed")
        fingerprints = {line.custom_id: line.fingerprint for line in batch.lines}
        kept: list[tuple[str, str]] = []
        if remote.output_file_id:
            for raw in client.files.content(remote.output_file_id).text.splitlines():
                if not raw.strip():
                    continue
                line = json.loads(raw)
                response = line.get("response") or {}
                key = fingerprints.get(str(line.get("custom_id")))
                if key is None:
                    continue
                if response.get("status_code") == 200 and isinstance(response.get("body"), dict):
                    kept.append((key, json.dumps(response["body"], ensure_ascii=False)))
        failed += len(fingerprints) - len(kept)
        store.add_answers(batch.id, first.id, kept)
    answers = {
        key: [(number, ChatCompletion.model_validate_json(body)) for number, body in bodies]
        for key, bodies in store.answers(first.id).items()
    }
    replay = ReplayBackend(backend, answers, defer=not live)
    summariser = make_summariser(replay)
    if summariser.prompt.sha256 != first.prompt_sha256:
        raise ConfigError(
            f"the prompt {first.prompt} changed since batch {first.id} was submitted: its "
            "answers are for the old prompt; submit the articles again"
        )
    first.status = rounds[-1].status
    return Collection(first, summariser, replay, failed, store, rounds)


def wait(info: BatchInfo, every_s: float = 30.0, store: BatchStore | None = None) -> dict[str, Any]:
    """Poll until the batch is final; the last state."""
    while True:
        state = refresh(info, store)
        if state["status"] in FINAL:
            return state
        time.sleep(every_s)
