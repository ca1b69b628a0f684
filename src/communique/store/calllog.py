"""The call log: one JSON line per summarised article, with what its model calls cost.

It never holds a secret: the entry is built from the prompt, the backend's
``describe()`` and the responses, never from a client or its headers.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from communique.config import log_path

logger = logging.getLogger("communique")


def append_call_log(entry: dict[str, Any]) -> None:
    """Append one entry; a full disk or a read-only home must not fail the article."""
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
    except OSError as exc:
        logger.warning("could not write the call log: %s", exc)
