"""Assembly in worker processes, so that many answers at once use every core.

Assembly (grounding and the post-model passes) is pure Python: in one process the
threads of a batch take turns at it. An :class:`AssemblyPool` sends each draft, with
the article's text, to a worker process and rebuilds the :class:`Assembled` it sends
back; the record is the one assembly in this process would make (events travel as
the JSON the result cache stores them in). A worker that dies costs nothing: the
article is assembled here instead and the pool is started again for the next one.
"""

from __future__ import annotations

import datetime as dt
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from communique.extract.assemble import Assembled
    from communique.extract.draft import ExtractionDraft
    from communique.extract.passes.examples import ExampleValues

logger = logging.getLogger("communique")

#: environment setting: how many worker processes assemble (0 or 1: in this process)
WORKERS_ENV = "COMMUNIQUE_WORKERS"


def default_workers(jobs: int) -> int:
    """Worker processes for ``jobs`` articles at once: every core (``COMMUNIQUE_WORKERS``
    overrides), none when one article at a time, or one core, leaves nothing to share."""
    if (setting := os.environ.get(WORKERS_ENV, "").strip()) != "":
        return max(0, int(setting))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) if jobs > 1 and (cores or 1) > 1 else 0


class AssemblyPool:
    """``workers`` processes that assemble drafts; started on first use."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        #: workers that died, and the articles assembled here instead
        self.restarts = 0

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                # spawned, not forked: the parent runs threads (HTTP, the limiter), and a
                # fork copies their locks in whatever state they are in
                context = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(self.workers, mp_context=context)
            return self._executor

    def assemble(
        self,
        draft: ExtractionDraft,
        text: str,
        published: dt.date | None,
        examples: ExampleValues | None,
    ) -> Assembled:
        """What :func:`communique.extract.assemble.assemble` makes of the draft."""
        pool = self._pool()
        try:
            future = pool.submit(
                assemble_in_worker, draft.model_dump(mode="json"), text, published, examples
            )
            events, passes, indices = future.result()
        except BrokenProcessPool:
            logger.warning("an assembly worker died; assembling the article here")
            with self._lock:
                if self._executor is pool:
                    self._executor = None
                    self.restarts += 1
            pool.shutdown(wait=False, cancel_futures=True)
            return _assemble_here(draft, text, published, examples)
        return _rebuilt(events, passes, indices)

    def close(self) -> None:
        with self._lock:
            if self._executor is not None:
                self._executor.shutdown(wait=True, cancel_futures=True)
                self._executor = None

    def pids(self) -> list[int]:
        """The worker processes' ids (for tests and benchmarks)."""
        with self._lock:
            processes = getattr(self._executor, "_processes", None) or {}
            return list(processes)


def assemble_in_worker(
    draft: dict[str, Any],
    text: str,
    published: dt.date | None,
    examples: ExampleValues | None,
) -> tuple[bytes, list[dict[str, Any]], list[int | None]]:
    """Runs in a worker: the assembled events as JSON, the pass reports, and for each
    event the index of the draft event it was built from."""
    from communique.extract.cached import events_adapter
    from communique.extract.chunks import load_draft

    assembled = _assemble_here(load_draft(draft), text, published, examples)
    indices = [assembled.draft_index(event) for event in assembled.events]
    return (
        events_adapter().dump_json(assembled.events),
        [report.model_dump(mode="json") for report in assembled.passes],
        indices,
    )


def _assemble_here(
    draft: ExtractionDraft, text: str, published: dt.date | None, examples: ExampleValues | None
) -> Assembled:
    from communique.extract.assemble import assemble
    from communique.text.analysis import analyse

    return assemble(draft, analyse(text, published).whole, published, examples)


def _rebuilt(events: bytes, passes: list[dict[str, Any]], indices: list[int | None]) -> Assembled:
    from communique.extract.assemble import Assembled
    from communique.extract.cached import events_adapter
    from communique.schema import PassReport

    rebuilt = events_adapter().validate_json(events)
    return Assembled(
        rebuilt,
        [PassReport.model_validate(report) for report in passes],
        {
            id(event): index
            for event, index in zip(rebuilt, indices, strict=True)
            if index is not None
        },
    )
