"""The result cache: diskcache, keyed on everything that can change a model output.

It holds the model's draft, the source of truth. Beside it, in ``assembled/``, it
keeps the record assembled from that draft (dates, grounding, completion from the
text), keyed by :func:`assembled_key`: the article, the settings and a version of the
assembly code, and valid only while the draft it names is the cached one. A hit then
costs two lookups, and an improvement to assembly still reaches every cached article
without a model call: its version changes, the assembled entry is missed, and the
record is assembled again from the cached draft.

The key hashes the article (its text and publication date, against which
worded dates are resolved), the prompt id and content hash, the schema
version, the backend and model, and the generation parameters; nothing else goes
in, so moving or renaming a file still hits the cache. Only successful results are
stored. diskcache is SQLite underneath, so two processes can share one folder.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import diskcache

from communique.config import cache_dir


def cache_key(
    *,
    text: str,
    published: str | None = None,
    prompt_id: str,
    prompt_sha256: str,
    schema_version: str,
    backend: str,
    model: str,
    params: dict[str, Any],
) -> str:
    payload = {
        "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "published": published,
        "prompt": prompt_id,
        "prompt_sha256": prompt_sha256,
        "schema_version": schema_version,
        "backend": backend,
        "model": model,
        "params": params,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def assembled_key(article_key: str, assembly_version: str) -> str:
    """The key of an assembled record: :func:`cache_key` of the whole article text (not
    only what the model saw), and the version of the assembly code. The entry names the
    model output it was assembled from, and is used only while that output is cached."""
    payload = f"assembled\0{article_key}\0{assembly_version}"
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def draft_sha256(draft: Any) -> str:
    """A stable hash of a model output (a draft as JSON-able data)."""
    canonical = json.dumps(draft, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResultCache:
    """A thin, typed wrapper over :class:`diskcache.Cache`: model outputs, and beside
    them the records assembled from them (a derived store, safe to delete)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or cache_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._cache = diskcache.Cache(str(self.directory))
        self._assembled: diskcache.Cache | None = None

    @property
    def assembled(self) -> diskcache.Cache:
        if self._assembled is None:
            self._assembled = diskcache.Cache(str(self.directory / "assembled"))
        return self._assembled

    def get_assembled(self, key: str) -> dict[str, Any] | None:
        value = self.assembled.get(key)
        return value if isinstance(value, dict) else None

    def set_assembled(self, key: str, value: dict[str, Any]) -> None:
        self.assembled.set(key, value)

    def get(self, key: str) -> dict[str, Any] | None:
        value = self._cache.get(key)
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        self._cache.set(key, value)

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> int:
        self.assembled.clear()
        return int(self._cache.clear())

    def close(self) -> None:
        self._cache.close()
        if self._assembled is not None:
            self._assembled.close()
