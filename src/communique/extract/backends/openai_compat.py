"""OpenAI, or any OpenAI-compatible server (vLLM, Ollama, llama.cpp's server).

``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` choose the service. A local server
usually needs no key, so a base URL alone is enough; with neither set there is
nothing to talk to and :class:`~communique.errors.ConfigError` says what to set.

The schema goes out as OpenAI's ``{"type": "json_schema", ...}`` response format,
which OpenAI, vLLM, Ollama and llama.cpp's own server enforce. llama-cpp-python's
server ignores that shape and enforces ``{"type": "json_object", "schema": ...}``
instead: ``COMMUNIQUE_SCHEMA_FORMAT=json_object`` sends that.
"""

from __future__ import annotations

import os
from functools import cached_property
from typing import TYPE_CHECKING, Any

from communique.errors import ConfigError
from communique.extract.backends.base import Backend

if TYPE_CHECKING:
    from openai import OpenAI
    from openai.types.chat import ChatCompletion

DEFAULT_TIMEOUT_S = 120.0


class OpenAIBackend(Backend):
    kind = "openai"

    def __init__(self, model: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        if not model:
            raise ConfigError("name the model after 'openai:', e.g. --model openai:gpt-4o-mini")
        api_key = os.environ.get("OPENAI_API_KEY")
        base_url = os.environ.get("OPENAI_BASE_URL")
        if not api_key and not base_url:
            raise ConfigError(
                f"--model openai:{model} needs OPENAI_API_KEY (for OpenAI) or OPENAI_BASE_URL "
                "(for an OpenAI-compatible server such as vLLM, Ollama or llama.cpp's server, "
                "e.g. OPENAI_BASE_URL=http://127.0.0.1:8080/v1); neither is set"
            )
        self.model = model
        self.base_url = base_url
        self._api_key = api_key
        self.timeout = timeout
        self.schema_format = os.environ.get("COMMUNIQUE_SCHEMA_FORMAT", "json_schema")
        if self.schema_format not in ("json_schema", "json_object"):
            raise ConfigError(
                f"COMMUNIQUE_SCHEMA_FORMAT={self.schema_format!r}: use json_schema or json_object"
            )

    @cached_property
    def client(self) -> OpenAI:
        """The OpenAI client, built on first use: importing openai takes most of a second,
        which a run served from the cache never pays."""
        from openai import OpenAI

        # Retries are communique's job (tenacity, honouring Retry-After), not the client's.
        return OpenAI(
            api_key=self._api_key or "not-needed",
            base_url=self.base_url,
            max_retries=0,
            timeout=self.timeout,
        )

    @property
    def model_id(self) -> str:
        return f"openai:{self.model}"

    def request(self, **kwargs: Any) -> dict[str, Any]:
        """The body of the chat completion request for these ``create`` arguments
        (what :meth:`create` sends, and what a Batch API line carries)."""
        body = dict(kwargs, model=self.model)
        response_format = body.get("response_format")
        if (
            self.schema_format == "json_object"
            and isinstance(response_format, dict)
            and response_format.get("type") == "json_schema"
        ):
            schema = response_format.get("json_schema", {}).get("schema")
            body["response_format"] = {"type": "json_object", "schema": schema}
        return body

    def create(self, **kwargs: Any) -> ChatCompletion:
        completion: ChatCompletion = self.client.chat.completions.create(**self.request(**kwargs))
        return completion

    def describe(self) -> dict[str, Any]:
        # The host is worth recording; a key never is.
        return {
            "base_url": self.base_url or "https://api.openai.com/v1",
            "schema_format": self.schema_format,
        }
