"""The cache path: model answers, and the records assembled from them, by key.

Two entries per article: the model's output (the draft and its provenance, under
the request's key), and the record this code assembled from it (under a key of
the whole article text and the version of the assembly code). The second is used
only while the output it was assembled from is still the cached one; when
assembly has changed since, the record is assembled again from the cached output,
with no model call.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeGuard

from communique.schema import Event, PassReport, Provenance
from communique.store.cache import ResultCache, draft_sha256

if TYPE_CHECKING:
    from pydantic import TypeAdapter

    from communique.extract.assemble import Assembled
    from communique.extract.draft import ExtractionDraft


@dataclass(frozen=True)
class StoredRecord:
    """A record assembled earlier from a cached output."""

    output: dict[str, Any]
    events: list[Event]
    passes: list[PassReport]
    language: str | None


class CachedRecords:
    """Reads and writes the two entries of an article in a :class:`ResultCache`."""

    def __init__(self, results: ResultCache) -> None:
        self.results = results

    def output(self, key: str) -> dict[str, Any] | None:
        """The model output cached under ``key`` (in the current format), or None."""
        cached = self.results.get(key)
        return cached if _is_output(cached) else None

    def assembled(self, assembled_key: str) -> StoredRecord | None:
        """The record assembled from a still-cached output, or None."""
        entry = self.results.get_assembled(assembled_key)
        if entry is None:
            return None
        output = self.output(entry["result_key"])
        if output is None or output_sha(output) != entry["draft_sha256"]:
            return None
        events = events_adapter().validate_json(entry["events"])
        passes = [PassReport.model_validate(p) for p in entry.get("passes", [])]
        return StoredRecord(output, events, passes, entry["language"])

    def store(
        self,
        key: str,
        assembled_key: str,
        draft: ExtractionDraft,
        provenance: Provenance,
        assembled: Assembled,
        language: str | None,
    ) -> None:
        """Cache the model output, and the record assembled from it by this code."""
        output = draft.model_dump(mode="json")
        sha = draft_sha256(output)
        self.results.set(
            key,
            {
                "draft": output,
                "draft_sha256": sha,
                "provenance": provenance.model_dump(mode="json"),
            },
        )
        self.store_assembled(assembled_key, key, sha, assembled, language)

    def store_assembled(
        self,
        assembled_key: str,
        key: str,
        sha: str,
        assembled: Assembled,
        language: str | None,
    ) -> None:
        self.results.set_assembled(
            assembled_key,
            {
                "result_key": key,
                "draft_sha256": sha,
                "events": events_adapter().dump_json(assembled.events),
                "passes": [report.model_dump(mode="json") for report in assembled.passes],
                "language": language,
            },
        )


def _is_output(cached: Any) -> TypeGuard[dict[str, Any]]:
    """A cache entry in the current format: a model output and its provenance."""
    return isinstance(cached, dict) and "draft" in cached and "provenance" in cached


def output_sha(output: dict[str, Any]) -> str:
    return str(output.get("draft_sha256") or draft_sha256(output["draft"]))


@cache
def events_adapter() -> TypeAdapter[list[Event]]:
    """Reads and writes a record's events as JSON (built once: building it has a cost)."""
    from pydantic import TypeAdapter

    return TypeAdapter(list[Event])
