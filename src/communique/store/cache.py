"""The result cache: diskcache, keyed on everything that can change a model output.

It holds the model's draft, not the finished record: assembly (dates, grounding,
completion from the text) is re-run on every read, so an improvement there reaches
cached articles without a model call.

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


class ResultCache:
    """A thin, typed wrapper over :class:`diskcache.Cache`."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory or cache_dir()
        self.directory.mkdir(parents=True, exist_ok=True)
        self._cache = diskcache.Cache(str(self.directory))

    def get(self, key: str) -> dict[str, Any] | None:
        value = self._cache.get(key)
        return value if isinstance(value, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        self._cache.set(key, value)

    def __len__(self) -> int:
        return len(self._cache)

    def clear(self) -> int:
        return int(self._cache.clear())

    def close(self) -> None:
        self._cache.close()
