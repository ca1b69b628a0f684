"""One structured model call: instructor's validation re-asks over transient retries.

:class:`ModelCaller` sends the prompt with the draft model as ``response_model``;
instructor feeds validation errors back to the model (re-asks), and every HTTP-level
attempt goes through tenacity (transient retries). :class:`CallLog` records every
completion, so the tokens and seconds of re-asks and retries are all counted.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
)

from communique.errors import BackendError, EndpointError, ExtractionError
from communique.extract.backends import Backend
from communique.extract.backends.base import ANSWERED_IN_ROUND
from communique.extract.draft import ExtractionDraft
from communique.extract.jsonscan import event_ends
from communique.extract.retry import RetryPolicy, is_transient, unfixable, wait_strategy
from communique.schema import Usage
from communique.store.calllog import Attempt, AttemptKind, AttemptOutcome, now_iso
from communique.text.alignment import FoldedText

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion

logger = logging.getLogger("communique")

M = TypeVar("M", bound=BaseModel)

#: generation parameters of a prompt's front matter that go to the API
API_PARAMS = frozenset({"temperature", "seed", "max_tokens", "top_p"})
#: the output allowance of the second try after an output cut off at max_tokens
CUT_OFF_GROWTH = 2


@dataclass
class CallLog:
    """What one article's model calls cost, re-asks and transient retries included.

    ``records`` keeps every request sent, in order: the first, each re-ask after
    invalid output and each retry after a transient error, with its own tokens,
    latency, outcome and raw response (the provenance log stores them).
    """

    attempts: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    transient_retries: int = 0
    outputs: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    salvaged: bool = False
    records: list[Attempt] = field(default_factory=list)
    cut_retries: int = 0
    _turn: bool = False

    def next_turn(self) -> None:
        """The next request is a new turn of the conversation, not a re-ask of the last."""
        self._turn = True

    def _next_kind(self) -> AttemptKind:
        if not self.records:
            return "first"
        if self._turn:
            self._turn = False
            return "followup"
        last = self.records[-1]
        if last.outcome == "error":
            return "retry"
        if last.outcome != "truncated":  # a second try after a cut-off keeps its outcome
            last.outcome = "invalid"  # another request after an answer: it was re-asked
        return "reask"

    def add(
        self, completion: ChatCompletion, seconds: float, batch_round: int | None = None
    ) -> None:
        kind = self._next_kind()
        self.attempts += 1
        usage = completion.usage
        if usage is not None:
            self.prompt_tokens += usage.prompt_tokens
            self.completion_tokens += usage.completion_tokens
        choice = completion.choices[0] if completion.choices else None
        content = choice.message.content if choice is not None else None
        self.outputs.append(content or "")
        self.seconds.append(round(seconds, 3))
        self.records.append(
            Attempt(
                n=len(self.records) + 1,
                kind=kind,
                outcome="ok",
                latency_s=seconds,
                time=now_iso(),
                prompt_tokens=usage.prompt_tokens if usage is not None else None,
                completion_tokens=usage.completion_tokens if usage is not None else None,
                finish_reason=choice.finish_reason if choice is not None else None,
                response=content or "",
                batch_round=batch_round,
            )
        )

    def add_error(self, exc: BaseException, seconds: float) -> None:
        """A request that got no completion (HTTP error, timeout, dropped connection)."""
        kind = self._next_kind()
        self.records.append(
            Attempt(
                n=len(self.records) + 1,
                kind=kind,
                outcome="error",
                latency_s=seconds,
                time=now_iso(),
                error=f"{type(exc).__name__}: {exc}"[:2000],
            )
        )

    def mark_last(self, outcome: AttemptOutcome) -> None:
        """Set the outcome of the last answered request (invalid, or truncated)."""
        for record in reversed(self.records):
            if record.outcome != "error":
                record.outcome = outcome
                return

    def usage(self) -> Usage:
        return Usage(
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            attempts=self.attempts,
            cut_retries=self.cut_retries,
        )


class _CutOff(Exception):
    """An output cut off at ``max_tokens`` that salvage could not rescue."""

    def __init__(self, limit: object, error: ExtractionError) -> None:
        super().__init__(str(error))
        self.limit = limit
        self.error = error


class ModelCaller:
    """Calls one backend for a validated draft; raises only :class:`CommuniqueError`.

    An output cut off at ``max_tokens`` keeps its finished events (salvage); when none
    survive, the call is made once more with :data:`CUT_OFF_GROWTH` times the
    allowance (within the context), and the tokens of both tries are counted.
    """

    def __init__(self, backend: Backend, retry: RetryPolicy, max_reasks: int) -> None:
        self.backend = backend
        self.retry = retry
        self.max_reasks = max_reasks

    def call(
        self,
        response_model: type[ExtractionDraft],
        messages: list[dict[str, str]],
        params: dict[str, Any],
        calls: CallLog,
        doc: FoldedText,
    ) -> ExtractionDraft:
        api_params = {k: v for k, v in params.items() if k in API_PARAMS}
        try:
            return self._call(response_model, messages, api_params, calls, doc)
        except _CutOff as cut:
            larger = self._larger_allowance(messages, api_params)
            if larger is None:
                raise cut.error from cut
            # Salvage kept nothing: one more try with room for the whole answer.
            logger.info("output cut off at max_tokens=%s; trying again with %d", cut.limit, larger)
            calls.cut_retries += 1
            try:
                return self._call(
                    response_model, messages, {**api_params, "max_tokens": larger}, calls, doc
                )
            except _CutOff as again:
                raise ExtractionError(
                    f"the model's output was cut off at max_tokens={cut.limit}, and again at "
                    f"max_tokens={larger} on a second try",
                    last_output=again.error.last_output,
                ) from again

    def _larger_allowance(
        self, messages: list[dict[str, str]], api_params: dict[str, Any]
    ) -> int | None:
        """Twice the output allowance, within what the context leaves; None if no larger."""
        current = api_params.get("max_tokens")
        if not isinstance(current, int) or current <= 0:
            return None
        larger = current * CUT_OFF_GROWTH
        limit = self.backend.context_tokens()
        if limit is not None:
            prompt = sum(self.backend.count_tokens(m["content"]) + 8 for m in messages)
            larger = min(larger, limit - prompt - 16)
        return larger if larger > current else None

    def call_for(
        self,
        response_model: type[M],
        messages: list[dict[str, str]],
        params: dict[str, Any],
        calls: CallLog,
        doc: FoldedText,
    ) -> M:
        """Any validated answer (a rewritten summary, say), with re-asks and retries."""
        api_params = {k: v for k, v in params.items() if k in API_PARAMS}
        try:
            return self._call(response_model, messages, api_params, calls, doc)
        except _CutOff as cut:
            raise cut.error from cut

    def _call(
        self,
        response_model: type[M],
        messages: list[dict[str, str]],
        api_params: dict[str, Any],
        calls: CallLog,
        doc: FoldedText,
    ) -> M:
        import instructor  # the client libraries are slow to import: only on a cache miss
        import openai

        create = _conforming(self._resilient_create(calls), response_model)
        patched = instructor.patch(create=create, mode=instructor.Mode.JSON_SCHEMA)
        try:
            answer: M = patched(
                response_model=response_model,
                messages=messages,
                context={"article": doc},
                max_retries=self.max_reasks,
                **api_params,
            )
        except instructor.core.exceptions.IncompleteOutputException as exc:
            last = calls.outputs[-1] if calls.outputs else None
            salvaged = (
                salvage_events(last, response_model, doc)
                if issubclass(response_model, ExtractionDraft)
                else None
            )
            calls.mark_last("truncated")
            if salvaged is not None:
                calls.salvaged = True
                return salvaged  # type: ignore[return-value]  # M is the draft here
            limit = api_params.get("max_tokens")
            raise _CutOff(
                limit,
                ExtractionError(
                    f"the model's output was cut off at max_tokens={limit}", last_output=last
                ),
            ) from exc
        except instructor.core.exceptions.InstructorRetryException as exc:
            cause = exc.__cause__
            if isinstance(cause, ValidationError | json.JSONDecodeError):
                calls.mark_last("invalid")
                raise ExtractionError(
                    f"the output stayed invalid after {calls.attempts} attempts: "
                    f"{short_validation(cause)}",
                    last_output=calls.outputs[-1] if calls.outputs else None,
                ) from exc
            raise backend_error(cause or exc, calls, self.backend) from exc
        except openai.OpenAIError as exc:
            raise backend_error(exc, calls, self.backend) from exc
        return answer

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
                wait=wait_strategy(policy),
                sleep=policy.sleep,
                before_sleep=before_sleep,
                reraise=True,
            )
            for attempt in retrying:
                with attempt:
                    started = time.perf_counter()
                    reset = ANSWERED_IN_ROUND.set(None)
                    try:
                        completion = backend.create(**kwargs)
                    except Exception as exc:
                        calls.add_error(exc, time.perf_counter() - started)
                        raise
                    finally:
                        batch_round = ANSWERED_IN_ROUND.get()
                        ANSWERED_IN_ROUND.reset(reset)
                    calls.add(completion, time.perf_counter() - started, batch_round)
                    return completion
            raise AssertionError("unreachable")  # pragma: no cover

        return create


def _conforming(
    create: Callable[..., ChatCompletion], response_model: type[BaseModel]
) -> Callable[..., ChatCompletion]:
    """``create``, with each answer made to fit the schema where the code can
    (:mod:`communique.extract.lenient`) before it is validated."""
    from communique.extract.lenient import conform_json

    def conforming(**kwargs: Any) -> ChatCompletion:
        completion = create(**kwargs)
        for choice in completion.choices:
            message = choice.message
            if message is not None and message.content:
                message.content = conform_json(response_model, message.content)
        return completion

    return conforming


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


def short_validation(exc: BaseException) -> str:
    if isinstance(exc, ValidationError):
        parts = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err["loc"])
            parts.append(f"{where}: {err['msg']}" if where else err["msg"])
        return "; ".join(parts)
    return str(exc)


def backend_error(
    exc: BaseException, calls: CallLog, backend: Backend | None = None
) -> BackendError:
    """The error for a failed call; an :class:`EndpointError` naming the setting to fix
    when no retry can help (unreachable, key refused, unknown model)."""
    import openai

    if isinstance(exc, openai.APIStatusError):
        detail = f"HTTP {exc.status_code}: {exc.message}"
    else:
        detail = f"{type(exc).__name__}: {exc}"
    options = backend.describe() if backend is not None else {}
    model = backend.model_id.partition(":")[2] if backend is not None else None
    advice = unfixable(exc, base_url=options.get("base_url"), model=model)
    if advice is not None:
        return EndpointError(advice, detail=detail)
    tries = calls.transient_retries + 1
    return BackendError(f"the model call failed ({detail}) after {tries} tries")
