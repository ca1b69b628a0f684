"""From articles to records: cache, prompt, model call, validation, assembly.

:class:`Summariser` is the library API behind ``communique summarise``. It never
raises for one article: every failure becomes an error record that names the
source and keeps the reason (and the model's last output, when there was one).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from typing import Any

from communique.errors import CommuniqueError, InputError
from communique.extract.assemble import build_events
from communique.extract.backends import Backend, get_backend
from communique.extract.draft import ExtractionDraft, draft_model
from communique.extract.modelcall import CallLog, ModelCaller
from communique.extract.prompts import Prompt, load_prompt
from communique.extract.retry import RetryPolicy
from communique.inputs.readers import Article, InputProblem, Item
from communique.schema import (
    SCHEMA_VERSION,
    ArticleInfo,
    ArticleRecord,
    ErrorInfo,
    Provenance,
)
from communique.store.articles import ArticleStore
from communique.store.cache import ResultCache, cache_key
from communique.store.calllog import CallEntry, CallLogStore, log_call
from communique.text.alignment import FoldedText
from communique.text.candidates import candidate_dates, candidate_documents, candidate_names
from communique.text.instructions import strip_instructions
from communique.text.language import detect_language

logger = logging.getLogger("communique")


class Summariser:
    """Summarise articles with one backend and one prompt.

    ``max_reasks``: how many times a validation error is fed back to the model.
    ``use_cache=False`` neither reads nor writes the cache; ``refresh=True`` skips
    reading but stores the fresh result. ``constrain`` restricts names and dates to
    what the article contains (default: on for the embedded model). ``strict`` drops
    participants and agreements that no span of the article supports, and counts
    them in ``provenance.dropped_ungrounded`` (the cache keeps them, so the same
    cached result serves both modes). ``articles`` keeps the text of every article
    summarised without error, by id (default: the user's article store).
    ``call_log`` records every model call and cache hit (default: the user's
    provenance log; ``log_calls=False`` records nothing).
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
        articles: ArticleStore | None = None,
        call_log: CallLogStore | None = None,
    ) -> None:
        self.backend = backend or get_backend()
        self.prompt = prompt or load_prompt()
        self.use_cache = use_cache
        self.refresh = refresh
        self.cache = cache if cache is not None else (ResultCache() if use_cache else None)
        self.max_reasks = max_reasks
        self.constrain = self.backend.kind == "local" if constrain is None else constrain
        self.retry = retry or RetryPolicy()
        self.caller = ModelCaller(self.backend, self.retry, max_reasks)
        self.log_calls = log_calls
        self.call_log = call_log if call_log is not None else CallLogStore()
        self.strict = strict
        self.articles = articles if articles is not None else ArticleStore()

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
            if record.status == "ok":
                self._keep_text(item)
            return drop_ungrounded(record) if self.strict else record
        except CommuniqueError as exc:
            return _error_record(info, exc)
        except Exception as exc:  # one broken article must not stop a batch
            logger.exception("unexpected failure on %s", item.source)
            error = CommuniqueError(f"internal error: {type(exc).__name__}: {exc}")
            error.kind = "internal"
            return _error_record(info, error)

    # -- internals --------------------------------------------------------------------

    def _keep_text(self, article: Article) -> None:
        """Keep the text the record's spans index, for briefings and reports."""
        try:
            self.articles.put(article.id, article.text, article.source, article.published)
        except Exception as exc:  # a read-only home must not fail the article
            logger.warning("could not keep the article text of %s: %s", article.source, exc)

    def _summarise(self, article: Article, info: ArticleInfo) -> ArticleRecord:
        key = self.key_for(article)
        if self.use_cache and not self.refresh and self.cache is not None:
            cached = self.cache.get(key)
            if isinstance(cached, dict) and "draft" in cached:
                started = time.perf_counter()
                record = self._from_cache(cached, article, info)
                self._log(article, info, CallLog(), time.perf_counter() - started, cached=True)
                return record
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
            draft = self.caller.call(
                response_model, messages, self.prompt.params, calls, FoldedText(model_text)
            )
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

    def _log(
        self,
        article: Article,
        info: ArticleInfo,
        calls: CallLog,
        duration: float,
        error: str | None = None,
        cached: bool = False,
    ) -> None:
        """One row per article in the provenance log, one per request sent (never a key)."""
        if not self.log_calls:
            return
        entry = CallEntry(
            article_id=info.id,
            source=article.source,
            prompt=self.prompt.id,
            prompt_sha256=self.prompt.sha256,
            schema_version=SCHEMA_VERSION,
            backend=self.backend.kind,
            model=self.backend.model_id,
            options=self.params,
            cached=cached,
            error=error,
            duration_s=duration,
            attempts=calls.records,
        )
        log_call(self.call_log, entry)


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
