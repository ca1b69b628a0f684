"""From articles to records: cache, prompt, model call, validation, assembly.

:class:`Summariser` is the library API behind ``communique summarise``. It never
raises for one article: every failure becomes an error record that names the
source and keeps the reason (and the model's last output, when there was one).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

from communique.errors import CommuniqueError, InputError, NotAttemptedError
from communique.extract.assembly_version import (
    assembly_version,
    request_version,
    verification_version,
)
from communique.extract.backends import Backend, get_backend
from communique.extract.cached import CachedRecords, output_sha
from communique.extract.chunks import (
    LOCAL_MAX_CHARS,
    MAX_ARTICLE_CHARS,
    REMOTE_MAX_CHARS,
    default_overlap,
)
from communique.extract.concurrency import Breaker, LimitedBackend, RateLimiter, ordered_map
from communique.extract.prompts import Prompt, load_prompt, reading_base
from communique.extract.reader import ModelReader, Reading
from communique.extract.records import (
    article_info,
    drop_ungrounded,
    error_record,
    input_problem_record,
)
from communique.extract.retry import RetryPolicy
from communique.extract.workers import AssemblyPool, default_workers
from communique.inputs import Article, InputProblem, Item
from communique.schema import (
    SCHEMA_VERSION,
    ArticleInfo,
    ArticleRecord,
    CheckedValue,
    Event,
    PassReport,
    Provenance,
)
from communique.store.articles import ArticleStore
from communique.store.cache import ResultCache, assembled_key, cache_key
from communique.store.calllog import CallEntry, CallLogStore, log_call
from communique.text.analysis import AnalysedArticle, AnalysedText, analyse

if TYPE_CHECKING:
    from communique.extract.assemble import Assembled
    from communique.extract.draft import ExtractionDraft
    from communique.extract.modelcall import CallLog, ModelCaller
    from communique.extract.passes.examples import ExampleValues
    from communique.extract.verify import Answerer, Question

# Assembly, drafts and the model call import pydantic models, rapidfuzz, dateparser and
# the client libraries: they are imported on first use, so a run served entirely from
# the cache never pays for them.

logger = logging.getLogger("communique")

#: articles summarised at once with a remote model, unless told otherwise
DEFAULT_REMOTE_JOBS = 8
#: endpoint failures in a row (unreachable, key refused, unknown model) that stop a batch
FAIL_AFTER = 3
#: articles assembled in this process before worker processes take over
POOL_AFTER = 16
#: what makes two inputs the same article: text (its content id) and publication date
Same = tuple[str, Any]


@dataclass(frozen=True)
class FirstCall:
    """One model call as the pipeline would make it: schema, messages, the text read."""

    response_model: type[ExtractionDraft]
    messages: list[dict[str, str]]
    part: AnalysedText

    @property
    def text(self) -> str:
        return self.part.text


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

    Batches (:meth:`summarise_many`): ``jobs`` articles at once (default
    :data:`DEFAULT_REMOTE_JOBS` for a remote model; the embedded model runs one at a
    time), with at most ``rpm`` requests and ``tpm`` tokens a minute; after
    ``fail_after`` endpoint failures in a row the batch stops (see ``stopped``).

    Long articles: an article longer than ``max_chars`` (default: what the embedded
    model reads at once, or more for a remote model), or one the model's context
    cannot hold, is read in overlapping chunks whose events are merged; one longer
    than ``max_article_chars`` gets an error record and is never sent.
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
        jobs: int | None = None,
        rpm: float | None = None,
        tpm: float | None = None,
        fail_after: int = FAIL_AFTER,
        max_chars: int | None = None,
        max_article_chars: int = MAX_ARTICLE_CHARS,
        workers: int | None = None,
    ) -> None:
        self.backend = backend or get_backend()
        self.prompt = prompt or load_prompt()
        #: the prompt whose cached readings this one shares (None: its own only)
        self.base = reading_base(self.prompt)
        self.use_cache = use_cache
        self.refresh = refresh
        self.cache = cache if cache is not None else (ResultCache() if use_cache else None)
        self.max_reasks = max_reasks
        self.constrain = self.backend.kind == "local" if constrain is None else constrain
        self.retry = retry or RetryPolicy()
        self.log_calls = log_calls
        self.call_log = call_log if call_log is not None else CallLogStore()
        self.strict = strict
        self.articles = articles if articles is not None else ArticleStore()
        if self.backend.kind == "local":
            if jobs is not None and jobs > 1:
                logger.warning("the embedded model summarises one article at a time")
            self.jobs = 1
        else:
            self.jobs = max(1, jobs or DEFAULT_REMOTE_JOBS)
        self.limiter: RateLimiter | None = None
        if self.jobs > 1 or rpm or tpm:
            self.limiter = RateLimiter(max_in_flight=self.jobs, rpm=rpm, tpm=tpm)
        self.fail_after = fail_after
        default_chars = LOCAL_MAX_CHARS if self.backend.kind == "local" else REMOTE_MAX_CHARS
        self.max_chars = max(1, max_chars or default_chars)
        self.max_article_chars = max_article_chars
        #: why the last batch stopped early (the endpoint cannot be used), or None
        self.stopped: str | None = None
        self._caller: ModelCaller | None = None
        self._lock = threading.Lock()
        #: the cache path: model outputs and the records assembled from them
        self.records = CachedRecords(self.cache) if self.cache is not None else None
        #: assembly in worker processes, once a batch has shown it is worth starting them
        count = default_workers(self.jobs) if workers is None else workers
        self.pool = AssemblyPool(count) if count > 1 else None
        self._assembled = 0
        #: the model path: the conversations that turn an article into a draft
        self.reader = ModelReader(
            self.backend,
            self.prompt,
            lambda: self.caller,
            constrain=self.constrain,
            max_chars=self.max_chars,
            max_reasks=self.max_reasks,
        )

    @property
    def caller(self) -> ModelCaller:
        """The model call (re-asks over transient retries, every request through the
        limiter); built on the first cache miss."""
        with self._lock:
            if self._caller is None:
                from communique.extract.modelcall import ModelCaller

                backend = self.backend
                if self.limiter is not None:
                    backend = LimitedBackend(backend, self.limiter)
                self._caller = ModelCaller(backend, self.retry, self.max_reasks)
            return self._caller

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
        return self._key(analyse(article.text).model.text, article)

    def _key(self, text: str, article: Article, prompt: Prompt | None = None) -> str:
        """The key of the model's answer to ``prompt`` (default: this Summariser's)."""
        prompt = prompt or self.prompt
        verify = f"+verify:{verification_version()}" if prompt.verify is not None else ""
        return cache_key(
            text=text,
            published=article.published.isoformat() if article.published else None,
            prompt_id=prompt.id,
            prompt_sha256=prompt.sha256,
            schema_version=f"{SCHEMA_VERSION}+{request_version()}{verify}",
            backend=self.backend.kind,
            model=self.backend.model_id,
            params=self._params_for(text),
        )

    def _params_for(self, model_text: str) -> dict[str, Any]:
        """:attr:`params`, plus the chunk settings for a text read in chunks (so those
        settings key only the articles they change)."""
        params = self.params
        if len(model_text) > self.max_chars:
            params["chunks"] = {
                "max_chars": self.max_chars,
                "overlap": default_overlap(self.max_chars),
            }
        return params

    def _examples(self) -> ExampleValues:
        """The values of the prompt's worked examples, which a copied value would match."""
        from communique.extract.passes.examples import example_values

        return example_values(self.prompt.system)

    def assembled_key_for(self, article: Article) -> str:
        """The key of the assembled record: the whole article text (which assembly reads
        and the spans index), the settings, the version of the assembly code and the
        passes switched off (``COMMUNIQUE_PASSES_OFF``, for measuring them)."""
        version = assembly_version()
        if off := os.environ.get("COMMUNIQUE_PASSES_OFF", "").strip():
            version = f"{version}-off:{off}"
        return assembled_key(self._key(article.text, article), version)

    # -- public API -----------------------------------------------------------------

    def summarise_many(
        self,
        items: Iterable[Item],
        on_record: Callable[[ArticleRecord], None] | None = None,
    ) -> Iterator[ArticleRecord]:
        """One record per item, in input order, each as soon as it and those before it
        are done; ``self.jobs`` articles at once.

        An article given twice (same text and date) is never sent twice at once: the
        second waits for the first and is served its result (or, if the first failed,
        is tried again). After ``fail_after`` failures
        in a row that no retry can fix, no article is sent any more: the rest are
        served from the cache or get a ``not_attempted`` error record, and
        ``self.stopped`` says what to fix. ``on_record`` is called with each record
        as soon as it is made, in any order, from any thread (for progress).
        """
        self.stopped = None
        breaker = Breaker(self.fail_after)
        firsts: dict[Same, Future[ArticleRecord]] = {}
        lock = threading.Lock()

        def first(item: Article, future: Future[ArticleRecord], same: Same) -> ArticleRecord:
            try:
                record = self._summarise_in_batch(item, breaker)
                future.set_result(record)
            except BaseException as exc:  # pragma: no cover - summarise never raises
                future.set_exception(exc)
                raise
            finally:
                with lock:
                    firsts.pop(same, None)
            return done(record)

        def repeat(item: Article, future: Future[ArticleRecord]) -> ArticleRecord:
            earlier = future.result()
            if earlier.status != "ok":  # tried again, now that the first try is over
                return done(self._summarise_in_batch(item, breaker))
            return done(self._same_article(earlier, item))

        def other(item: Item) -> ArticleRecord:
            return done(self.summarise(item))

        def done(record: ArticleRecord) -> ArticleRecord:
            if on_record is not None:
                on_record(record)
            return record

        def tasks() -> Iterator[Callable[[], ArticleRecord]]:
            for item in items:
                if isinstance(item, InputProblem):
                    yield partial(other, item)
                    continue
                same = (item.id, item.published)
                with lock:
                    earlier = firsts.get(same)
                    if earlier is None:
                        future: Future[ArticleRecord] = Future()
                        firsts[same] = future
                if earlier is not None:
                    yield partial(repeat, item, earlier)
                else:
                    yield partial(first, item, future, same)

        yield from ordered_map(tasks(), self.jobs)

    def summarise(self, item: Item) -> ArticleRecord:
        """One record for one article or input problem; never raises for bad input.

        The stages, in order: read (``item``), analyse, the cache or the model
        (ask), assemble (grounding and the post-model passes), record.
        """
        if isinstance(item, InputProblem):
            return input_problem_record(item)
        if len(item.text) > self.max_article_chars:
            return error_record(
                article_info(item, None),
                InputError(
                    item.source,
                    f"the article has {len(item.text):,} characters, more than the limit of "
                    f"{self.max_article_chars:,} (--max-article-chars): it was not sent to "
                    "the model; split it, or raise the limit",
                ),
            )
        started = time.perf_counter()
        analysed = analyse(item.text, item.published, item.source)
        record = self._from_cache(item, analysed)
        if record is not None:
            self._log(item, record.article, None, time.perf_counter() - started, cached=True)
        else:
            record = self._from_model(item, analysed)
        if self.strict:
            record = drop_ungrounded(record)
        if record.status == "ok":
            self._keep_text(item)
        return record

    def is_cached(self, article: Article) -> bool:
        """Whether the model output for ``article`` is in the cache (and would be used)."""
        if not self._reads_cache or self.records is None:
            return False
        return self.records.output(self.key_for(article)) is not None

    def first_calls(self, article: Article) -> list[FirstCall]:
        """The first model call of each part of ``article`` (one part, or its chunks):
        what a batch sends ahead of time. Any later call of the normal path (a re-ask,
        a follow-up turn) follows from the answer to it."""
        analysed = analyse(article.text, article.published, article.source)
        return [
            FirstCall(
                self.reader.response_model(part),
                self.reader.messages(part.text, analysed),
                part,
            )
            for part in self.reader.parts(analysed)
        ]

    def assemble_record(
        self, article: Article, draft: ExtractionDraft, answerer: Answerer | None = None
    ) -> ArticleRecord:
        """The record this code makes of a given draft: assembly and every post-model
        pass, as for a model's answer, with no model call and no cache (the oracle check
        feeds gold records through it). ``answerer`` answers the prompt's verification
        questions, if it asks any (the oracle answers them from gold)."""
        from communique.extract.modelcall import CallLog

        analysed = analyse(article.text, article.published, article.source)
        assembled = self._assemble(draft, analysed)
        checked: list[CheckedValue] = []
        if answerer is not None and self.prompt.verify is not None:
            draft, checked = self._checked(draft, assembled, analysed, answerer)
            if checked:
                assembled = self._assemble(draft, analysed)
        provenance = self._provenance(CallLog(), 0.0).model_copy(
            update={"passes": assembled.passes, "checked": checked}
        )
        return ArticleRecord(
            article=article_info(article, analysed.whole.language),
            events=assembled.events,
            provenance=provenance,
        )

    # -- the stages -------------------------------------------------------------------

    def _from_cache(self, article: Article, analysed: AnalysedArticle) -> ArticleRecord | None:
        """The record of a cached model output, or None on a miss.

        The record assembled from that output by the current assembly code is cached
        too, under a key of the article as given (a hit reads nothing of the text);
        when assembly has changed since, the record is assembled again from the cached
        output (no model call) and stored for the next read.
        """
        if not self._reads_cache or self.records is None:
            return None
        try:
            assembled_key = self.assembled_key_for(article)
            stored = self.records.assembled(assembled_key)
            if stored is not None:
                return self._cached_record(
                    article, stored.output, stored.events, stored.passes, stored.language
                )
            key = self._key(analysed.model.text, article)
            output = self.records.output(key)
            if output is None:
                return None
            from communique.extract.chunks import load_draft

            language = analysed.whole.language
            rebuilt = self._assemble(load_draft(output["draft"]), analysed)
            self.records.store_assembled(assembled_key, key, output_sha(output), rebuilt, language)
            return self._cached_record(article, output, rebuilt.events, rebuilt.passes, language)
        except Exception as exc:  # a damaged entry is a miss, never a failed article
            logger.warning("ignoring a cache entry for %s: %s", article.source, exc)
            return None

    def _from_model(self, article: Article, analysed: AnalysedArticle) -> ArticleRecord:
        """The record of the model's answer; an error record when there is none."""
        info = article_info(article, analysed.whole.language)
        try:
            return self._ask_and_assemble(article, analysed, info)
        except CommuniqueError as exc:
            return error_record(info, exc)
        except Exception as exc:  # one broken article must not stop a batch
            logger.exception("unexpected failure on %s", article.source)
            error = CommuniqueError(f"internal error: {type(exc).__name__}: {exc}")
            error.kind = "internal"
            return error_record(info, error)

    def _ask_and_assemble(
        self, article: Article, analysed: AnalysedArticle, info: ArticleInfo
    ) -> ArticleRecord:
        from communique.extract.modelcall import CallLog

        key = self._key(analysed.model.text, article)
        params = self._params_for(analysed.model.text)
        removed = analysed.instructions_removed
        calls = CallLog()
        started = time.perf_counter()
        try:
            reading = self._base_reading(article, analysed) or self.reader.read(analysed, calls)
            assembled = self._assemble(reading.draft, analysed)
            if self.reader.summaries_to_reask(reading, assembled):
                reading = self.reader.reask_summaries(reading, assembled, analysed, calls)
                assembled = self._assemble(reading.draft, analysed)
            checked: list[CheckedValue] = []
            if self.prompt.verify is not None:
                reading, checked = self._verify(reading, assembled, analysed, calls)
                if checked:
                    assembled = self._assemble(reading.draft, analysed)
        except CommuniqueError as exc:
            duration = time.perf_counter() - started
            self._log(article, info, calls, duration, error=str(exc))
            return error_record(info, exc, self._provenance(calls, duration, removed, params))
        duration = time.perf_counter() - started
        self._log(article, info, calls, duration)
        provenance = self._provenance(calls, duration, removed, params)
        provenance.model_passes = reading.passes
        provenance.checked = checked
        record = ArticleRecord(
            article=info,
            events=assembled.events,
            provenance=provenance.model_copy(update={"passes": assembled.passes}),
        )
        if self.records is not None and self.use_cache:
            self.records.store(
                key,
                self.assembled_key_for(article),
                reading.draft,
                provenance,
                assembled,
                info.language,
            )
        return record

    def _verify(
        self, reading: Reading, assembled: Assembled, analysed: AnalysedArticle, calls: CallLog
    ) -> tuple[Reading, list[CheckedValue]]:
        """The reading with its doubtful values asked again in one more model call."""
        from communique.extract.verify import ask

        def answer(questions: Sequence[Question]) -> dict[str, str]:
            messages = self.prompt.verify_messages(analysed.model.text, questions)
            params = self.prompt.params
            return ask(self.caller, messages, questions, analysed.model, params, calls)

        draft, checked = self._checked(reading.draft, assembled, analysed, answer)
        return Reading(draft, reading.passes, reading.messages), checked

    def _checked(
        self,
        draft: ExtractionDraft,
        assembled: Assembled,
        analysed: AnalysedArticle,
        answerer: Answerer,
    ) -> tuple[ExtractionDraft, list[CheckedValue]]:
        """The draft with the prompt's doubtful values asked of ``answerer`` (the model,
        or gold in the oracle check) and confirmed, corrected or left out
        (:mod:`communique.extract.verify`)."""
        from communique.extract.verify import apply_answers, doubtful_values

        questions = doubtful_values(
            assembled, draft, analysed.whole, analysed.published, self.prompt.verify_fields
        )
        if not questions:
            return draft, []
        return apply_answers(draft, questions, answerer(questions))

    def _base_reading(self, article: Article, analysed: AnalysedArticle) -> Reading | None:
        """The reading the prompt's base has cached for the article (the same turns, word
        for word), so a prompt that only adds the verification asks only that."""
        if self.base is None or not self._reads_cache or self.records is None:
            return None
        from communique.extract.chunks import load_draft

        key = self._key(analysed.model.text, article, self.base)
        output = self.records.output(key)
        if output is None:
            return None
        passes = int(output.get("provenance", {}).get("model_passes", 1))
        parts = self.reader.parts(analysed)
        messages = self.reader.messages(parts[0].text, analysed) if len(parts) == 1 else None
        return Reading(load_draft(output["draft"]), passes, messages)

    def _assemble(self, draft: ExtractionDraft, analysed: AnalysedArticle) -> Assembled:
        """Assembly and the passes: in a worker process once this Summariser has assembled
        :data:`POOL_AFTER` articles (a few articles do not repay starting the workers)."""
        with self._lock:
            self._assembled += 1
            pooled = self.pool is not None and self._assembled > POOL_AFTER
        if pooled and self.pool is not None:
            text, published = analysed.whole.text, analysed.published
            return self.pool.assemble(draft, text, published, self._examples())
        return _assemble(draft, analysed, self._examples())

    # -- the rest ---------------------------------------------------------------------

    @property
    def _reads_cache(self) -> bool:
        return self.use_cache and not self.refresh

    def _summarise_in_batch(self, article: Article, breaker: Breaker) -> ArticleRecord:
        """:meth:`summarise`, unless the batch has stopped; counts endpoint failures."""
        if breaker.tripped:
            analysed = analyse(article.text, article.published, article.source)
            record = self._from_cache(article, analysed)
            if record is not None:
                return drop_ungrounded(record) if self.strict else record
            return error_record(
                article_info(article, None),
                NotAttemptedError(
                    f"not attempted: the batch stopped after {breaker.threshold} failures in "
                    f"a row that no retry can fix: {breaker.reason}"
                ),
            )
        record = self.summarise(article)
        kind = record.error.kind if record.error is not None else None
        if kind == "endpoint":
            breaker.failure(record.error.message if record.error else "")
            if breaker.tripped:
                self.stopped = breaker.reason
        elif kind in ("backend", "extraction") or (
            record.provenance is not None and not record.provenance.cached
        ):
            breaker.success()  # the endpoint answered
        return record

    def _same_article(self, record: ArticleRecord, article: Article) -> ArticleRecord:
        """The record of an article given again in a batch, from its first occurrence."""
        info = article_info(article, record.article.language)
        update: dict[str, Any] = {"article": info}
        if record.status == "ok" and record.provenance is not None:
            update["provenance"] = record.provenance.model_copy(update={"cached": True})
            self._log(article, info, None, 0.0, cached=True)
        return record.model_copy(update=update)

    def _keep_text(self, article: Article) -> None:
        """Keep the text the record's spans index, for briefings and reports."""
        try:
            self.articles.put(
                article.id, article.text, article.source, article.published, article.meta()
            )
        except Exception as exc:  # a read-only home must not fail the article
            logger.warning("could not keep the article text of %s: %s", article.source, exc)

    def _cached_record(
        self,
        article: Article,
        cached: dict[str, Any],
        events: list[Event],
        passes: list[PassReport],
        language: str | None,
    ) -> ArticleRecord:
        provenance = Provenance.model_validate(cached["provenance"])
        provenance.cached = True
        provenance.passes = passes
        return ArticleRecord(
            article=article_info(article, language), events=events, provenance=provenance
        )

    def _provenance(
        self,
        calls: CallLog,
        duration: float,
        removed: int = 0,
        params: dict[str, Any] | None = None,
    ) -> Provenance:
        return Provenance(
            prompt=self.prompt.id,
            prompt_sha256=self.prompt.sha256,
            model=self.backend.model_id,
            backend=self.backend.kind,
            schema_version=SCHEMA_VERSION,
            params=self.params if params is None else params,
            usage=calls.usage(),
            duration_s=round(duration, 3),
            truncated=calls.salvaged,
            instructions_removed=removed,
        )

    def _log(
        self,
        article: Article,
        info: ArticleInfo,
        calls: CallLog | None,
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
            attempts=calls.records if calls is not None else [],
        )
        log_call(self.call_log, entry)


_ASSEMBLED_ONCE = threading.Event()
_FIRST_ASSEMBLY = threading.Lock()


def _assemble(
    draft: ExtractionDraft, analysed: AnalysedArticle, examples: ExampleValues | None = None
) -> Assembled:
    """The record's events from a draft: grounded in the whole article, completed and
    corrected by the post-model passes, with what each pass changed.

    Until one assembly has finished in this process, assemblies run one at a time:
    the passes build their tables and models on first use, and the threads of a
    batch would otherwise each build them at once (seconds of CPU apiece).
    """
    from communique.extract.assemble import assemble

    if _ASSEMBLED_ONCE.is_set():
        return assemble(draft, analysed.whole, analysed.published, examples)
    with _FIRST_ASSEMBLY:
        assembled = assemble(draft, analysed.whole, analysed.published, examples)
        _ASSEMBLED_ONCE.set()
        return assembled
