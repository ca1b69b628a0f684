"""Where communique keeps its files, and the environment variables that move them.

``COMMUNIQUE_HOME``       root of everything below (default: the user cache folder)
``COMMUNIQUE_CACHE_DIR``  the result cache (default: ``$COMMUNIQUE_HOME/results``)
``COMMUNIQUE_MODEL_PATH`` a GGUF file to run instead of the embedded model
``COMMUNIQUE_THREADS``    CPU threads for the embedded model (default: all cores)
``COMMUNIQUE_LOOKUP``     tokens the embedded model drafts by prompt lookup (0: off)
"""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_cache_dir

APP_NAME = "communique"


def home_dir() -> Path:
    env = os.environ.get("COMMUNIQUE_HOME")
    return Path(env).expanduser() if env else Path(user_cache_dir(APP_NAME))


def cache_dir() -> Path:
    env = os.environ.get("COMMUNIQUE_CACHE_DIR")
    return Path(env).expanduser() if env else home_dir() / "results"


def models_dir() -> Path:
    return home_dir() / "models"


def log_path() -> Path:
    return home_dir() / "logs.db"


def model_path_override() -> Path | None:
    env = os.environ.get("COMMUNIQUE_MODEL_PATH")
    return Path(env).expanduser() if env else None


def thread_count() -> int:
    env = os.environ.get("COMMUNIQUE_THREADS")
    if env:
        return max(1, int(env))
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def lookup_tokens() -> int:
    """Draft tokens for prompt-lookup (speculative) decoding by the embedded model; 0 is off."""
    env = os.environ.get("COMMUNIQUE_LOOKUP")
    return max(0, int(env)) if env else 0
