"""From articles to records: cache, prompt, model call, validation, assembly.

:class:`Summariser` is the library API behind ``communique summarise``. It never
raises for one article: every failure becomes an error record that names the
source and keeps the reason (and the model's last output, when there was one).
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
)

from communique.assemble import build_events
from communique.backends import Backend, get_backend
from communique.cache import ResultCache, cache_key
from communique.candidates import candidate_dates, candidate_documents, candidate_names
from communique.config import log_path
from communique.draft import ExtractionDraft, draft_model
from communique.errors import BackendError, CommuniqueError, ExtractionError, InputError
from communique.grounding import FoldedText
from communique.inputs import Article, InputProblem, Item
from communique.instructions import strip_instructions
from communique.jsonscan import event_ends
from communique.language import detect_language
from communique.prompts import Prompt, load_prompt
from communique.schema import (
    SCHEMA_VERSION,
    ArticleInfo,
    ArticleRecord,
    ErrorInfo,
    Provenance,
    Usage,
)

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

logger = logging.getLogger("communique")

MAX_RETRY_AFTER_S = 60.0


@dataclass
class RetryPolicy:
    """Transient-error retries (rate limits, 5xx, timeouts, dropped connections)."""

    attempts: int = 5
    max_total_s: float = 300.0
    initial_s: float = 1.0
    max_wait_s: float = 30.0
    sleep: Callable[[float], None] = time.sleep


def is_transient(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.RateLimitError | openai.APITimeoutError | openai.APIConnectionError):
        return True
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return False


def retry_after_seconds(exc: BaseException | None) -> float | None:
    """Seconds the server asked us to wait (``Retry-After`` or ``retry-after-ms``)."""
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    if (value := headers.get("retry-after-ms")) is not None:
        try:
            return float(value) / 1000.0
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        from email.utils import parsedate_to_datetime

        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, when.timestamp() - time.time())


def _wait(policy: RetryPolicy) -> Callable[[RetryCallState], float]:
    def wait(state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        asked = retry_after_seconds(exc)
        if asked is not None and asked == asked:  # NaN is no answer
            return float(max(0.0, min(asked, MAX_RETRY_AFTER_S)))
        backoff: float = policy.initial_s * 2.0 ** (state.attempt_number - 1)
        return min(policy.max_wait_s, backoff) * (0.5 + random.random() / 2)

    return wait


@dataclass
class CallLog:
    """What one article's model calls cost, re-asks and transient retries included."""

    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    transient_retries: int = 0
    outputs: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    salvaged: bool = False

    def add(self, completion: ChatCompletion, seconds: float) -> None:
        self.attempts += 1
        if completion.usage is not None:
            self.prompt_tokens += completion.usage.prompt_tokens
            self.completion_tokens += completion.usage.completion_tokens
        content = completion.choices[0].message.content if completion.choices else None
        self.outputs.append(content or "")
        self.seconds.append(round(seconds, 3))

    def usage(self) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            attempts=self.attempts,
        )


class Summariser:
    """Summarise articles with one backend and one prompt.

    ``max_reasks``: how many times a validation error is fed back to the model.
    ``use_cache=False`` neither reads nor writes the cache; ``refresh=True`` skips
    reading but stores the fresh result. ``constrain`` restricts names and dates to
    what the article contains (default: on for the embedded model). ``strict`` drops
    participants and agreements that no span of the article supports, and counts
    them in ``provenance.dropped_ungrounded`` (the cache keeps them, so the same
    cached result serves both modes).
    """

    def __init__(
        self,
        backend: Backend | None = None,
        prompt: Prompt | None = None,
        *,
        cache: ResultCache | None = None,
        use_cache: bool = True,
        refresh: bool = False,
        max_reasks: int = 2,
        constrain: bool | None = None,
        retry: RetryPolicy | None = None,
        log_calls: bool = True,
        strict: bool = False,
    ) -> None:
        self.backend = backend or get_backend()
        self.prompt = prompt or load_prompt()
        self.use_cache = use_cache
        self.refresh = refresh
        self.cache = cache if cache is not None else (ResultCache() if use_cache else None)
        self.max_reasks = max_reasks
        self.constrain = self.backend.kind == "local" if constrain is None else constrain
        self.retry = retry or RetryPolicy()
        self.log_calls = log_calls
        self.strict = strict

    @property
    def params(self) -> dict[str, Any]:
        """Generation parameters: they go into the cache key and the provenance."""
        params = dict(self.prompt.params)
        params["max_reasks"] = self.max_reasks
        params["constrain"] = self.constrain
        params["backend_options"] = self.backend.describe()
        return params

    def key_for(self, article: Article) -> str:
        """The cache key: what the model is sent (instructions removed) and how."""
        return cache_key(
            text=strip_instructions(article.text)[0],
            published=article.published.isoformat() if article.published else None,
            prompt_id=self.prompt.id,
            prompt_sha256=self.prompt.sha256,
            schema_version=SCHEMA_VERSION,
            backend=self.backend.kind,
            model=self.backend.model_id,
            params=self.params,
        )

    # -- public API -----------------------------------------------------------------

    def summarise_many(self, items: Iterable[Item]) -> Iterator[ArticleRecord]:
        for item in items:
            yield self.summarise(item)

    def summarise(self, item: Item) -> ArticleRecord:
        """One record for one article or input problem; never raises for bad input."""
        if isinstance(item, InputProblem):
            return _error_record(
                ArticleInfo(id=None, source=item.source, chars=0),
                InputError(item.source, item.problem),
            )
        info = ArticleInfo(
            id=item.id,
            source=item.source,
            external_id=item.external_id,
            published=item.published,
            language=detect_language(item.text),
            chars=len(item.text),
        )
        try:
            record = self._summarise(item, info)
            return drop_ungrounded(record) if self.strict else record
        except CommuniqueError as exc:
            return _error_record(info, exc)
        except Exception as exc:  # one broken article must not stop a batch
            logger.exception("unexpected failure on %s", item.source)
            error = CommuniqueError(f"internal error: {type(exc).__name__}: {exc}")
            error.kind = "internal"
            return _error_record(info, error)

    # -- internals --------------------------------------------------------------------

    def _summarise(self, article: Article, info: ArticleInfo) -> ArticleRecord:
        key = self.key_for(article)
        if self.use_cache and not self.refresh and self.cache is not None:
            cached = self.cache.get(key)
            if isinstance(cached, dict) and "draft" in cached:
                return self._from_cache(cached, article, info)
        model_text, removed = strip_instructions(article.text)
        messages = self.prompt.messages(text=model_text, published=article.published)
        self._check_context(article, messages)
        response_model: type[ExtractionDraft] = ExtractionDraft
        if self.constrain:
            response_model = draft_model(
                tuple(candidate_names(model_text)) or None,
                tuple(candidate_dates(model_text)),
                tuple(candidate_documents(model_text)),
            )
        calls = CallLog()
        started = time.perf_counter()
        try:
            draft = self._call_model(response_model, messages, calls, FoldedText(model_text))
            events = build_events(draft, article.text, article.published, info.language)
        except CommuniqueError as exc:
            duration = time.perf_counter() - started
            self._log(article, info, calls, duration, error=str(exc))
            return _error_record(info, exc, self._provenance(calls, duration, removed))
        duration = time.perf_counter() - started
        self._log(article, info, calls, duration)
        provenance = self._provenance(calls, duration, removed)
        record = ArticleRecord(article=info, events=events, provenance=provenance)
        if self.cache is not None and self.use_cache:
            self.cache.set(
                key,
                {
                    "draft": draft.model_dump(mode="json"),
                    "provenance": provenance.model_dump(mode="json"),
                },
            )
        return record

    def _from_cache(
        self, cached: dict[str, Any], article: Article, info: ArticleInfo
    ) -> ArticleRecord:
        """A record from the cached model output: assembly is re-run, so improvements
        to grounding and completion reach cached articles without a model call."""
        provenance = Provenance.model_validate(cached["provenance"])
        provenance.cached = True
        draft = ExtractionDraft.model_validate(cached["draft"])
        events = build_events(draft, article.text, article.published, info.language)
        return ArticleRecord(article=info, events=events, provenance=provenance)

    def _provenance(self, calls: CallLog, duration: float, removed: int = 0) -> Provenance:
        return Provenance(
            prompt=self.prompt.id,
            prompt_sha256=self.prompt.sha256,
            model=self.backend.model_id,
            backend=self.backend.kind,
            schema_version=SCHEMA_VERSION,
            params=self.params,
            usage=calls.usage(),
            duration_s=round(duration, 3),
            truncated=calls.salvaged,
            instructions_removed=removed,
        )

    def _check_context(self, article: Article, messages: list[dict[str, str]]) -> None:
        limit = self.backend.context_tokens()
        if limit is None:
            return
        needed = sum(self.backend.count_tokens(m["content"]) + 8 for m in messages)
        needed += int(self.prompt.params.get("max_tokens", 0))
        if needed > limit:
            raise InputError(
                article.source,
                f"the article is too long for the model: it needs about {needed} tokens with "
                f"the prompt and the output allowance, and the context holds {limit}; "
                "split it into parts",
            )

    def _call_model(
        self,
        response_model: type[ExtractionDraft],
        messages: list[dict[str, str]],
        calls: CallLog,
        doc: FoldedText,
    ) -> ExtractionDraft:
        import instructor  # the client libraries are slow to import: only on a cache miss
        import openai

        create = self._resilient_create(calls)
        patched = instructor.patch(create=create, mode=instructor.Mode.JSON_SCHEMA)
        params = {k: v for k, v in self.prompt.params.items() if k in _API_PARAMS}
        try:
            draft = patched(
                response_model=response_model,
                messages=messages,
                context={"article": doc},
                max_retries=self.max_reasks,
                **params,
            )
        except instructor.core.exceptions.IncompleteOutputException as exc:
            last = calls.outputs[-1] if calls.outputs else None
            salvaged = salvage_events(last, response_model, doc)
            if salvaged is not None:
                calls.salvaged = True
                return salvaged
            raise ExtractionError(
                f"the model's output was cut off at max_tokens={params.get('max_tokens')}",
                last_output=last,
            ) from exc
        except instructor.core.exceptions.InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError | json.JSONDecodeError):
                raise ExtractionError(
                    f"the output stayed invalid after {calls.attempts} attempts: "
                    f"{_short_validation(cause)}",
                    last_output=calls.outputs[-1] if calls.outputs else None,
                ) from exc
            raise _backend_error(cause or exc, calls) from exc
        except openai.OpenAIError as exc:
            raise _backend_error(exc, calls) from exc
        return draft

    def _resilient_create(self, calls: CallLog) -> Callable[..., ChatCompletion]:
        """The backend's create, retried on transient errors, recording every completion."""
        policy = self.retry
        backend = self.backend

        def before_sleep(state: RetryCallState) -> None:
            calls.transient_retries += 1
            exc = state.outcome.exception() if state.outcome else None
            logger.warning("transient error, retrying (attempt %d): %s", state.attempt_number, exc)

        def create(**kwargs: Any) -> ChatCompletion:
            retrying = Retrying(
                retry=retry_if_exception(is_transient),
                stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.max_total_s),
                wait=_wait(policy),
                sleep=policy.sleep,
                before_sleep=before_sleep,
                reraise=True,
            )
            for attempt in retrying:
                with attempt:
                    started = time.perf_counter()
                    completion = backend.create(**kwargs)
                    calls.add(completion, time.perf_counter() - started)
                    return completion
            raise AssertionError("unreachable")  # pragma: no cover

        return create

    def _log(
        self,
        article: Article,
        info: ArticleInfo,
        calls: CallLog,
        duration: float,
        error: str | None = None,
    ) -> None:
        """Append one line per article to the call log (never the API key)."""
        if not self.log_calls:
            return
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "article_id": info.id,
            "source": article.source,
            "prompt": self.prompt.id,
            "prompt_sha256": self.prompt.sha256,
            "model": self.backend.model_id,
            "backend": self.backend.kind,
            "options": self.params,
            "attempts": calls.attempts,
            "transient_retries": calls.transient_retries,
            "prompt_tokens": calls.prompt_tokens,
            "completion_tokens": calls.completion_tokens,
            "call_seconds": calls.seconds,
            "duration_s": round(duration, 3),
            "responses": calls.outputs,
            "error": error,
        }
        try:
            path = log_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
        except OSError as exc:  # a full disk must not fail the article
            logger.warning("could not write the call log: %s", exc)


def salvage_events(
    output: str | None, response_model: type[ExtractionDraft], doc: FoldedText
) -> ExtractionDraft | None:
    """Keep the complete events of an output cut off by ``max_tokens``.

    A small model sometimes repeats an event until the token limit; the events
    written before the cut are still good. Returns None when none survive validation.
    """
    if not output:
        return None
    ends = event_ends(output)
    for end in reversed(ends):
        try:
            return response_model.model_validate_json(output[:end] + "]}", context={"article": doc})
        except ValidationError:
            continue
    return None


def drop_ungrounded(record: ArticleRecord) -> ArticleRecord:
    """``--strict``: remove values without evidence, and count them."""
    if record.status != "ok" or record.provenance is None:
        return record
    dropped = 0
    events = []
    for event in record.events:
        people = [p for p in event.participants if p.alignment != "ungrounded"]
        agreements = [a for a in event.agreements if a.alignment != "ungrounded"]
        dropped += len(event.participants) - len(people) + len(event.agreements) - len(agreements)
        events.append(event.model_copy(update={"participants": people, "agreements": agreements}))
    provenance = record.provenance.model_copy(update={"dropped_ungrounded": dropped})
    return record.model_copy(update={"events": events, "provenance": provenance})


_API_PARAMS = {"temperature", "seed", "max_tokens", "top_p"}


def _short_validation(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err["loc"])
            parts.append(f"{where}: {err['msg']}" if where else err["msg"])
        return "; ".join(parts)
    return str(exc)


def _backend_error(exc: BaseException, calls: CallLog) -> BackendError:
    import openai

    if isinstance(exc, openai.APIStatusError):
        detail = f"HTTP {exc.status_code}: {exc.message}"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    tries = calls.transient_retries + 1
    return BackendError(f"the model call failed ({detail}) after {tries} tries")


def _error_record(
    info: ArticleInfo, exc: CommuniqueError, provenance: Provenance | None = None
) -> ArticleRecord:
    message = exc.problem if isinstance(exc, InputError) else str(exc)
    return ArticleRecord(
        status="error",
        article=info,
        provenance=provenance,
        error=ErrorInfo(
            kind=exc.kind,
            message=message,
            last_output=getattr(exc, "last_output", None),
        ),
    )
