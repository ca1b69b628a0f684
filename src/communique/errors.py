"""One error tree for everything communique raises on purpose.

Callers catch :class:`CommuniqueError`; the subclasses say which layer failed and
carry a ``kind`` string that also lands in error records.
"""

from __future__ import annotations


class CommuniqueError(Exception):
    """Base class of every error communique raises deliberately."""

    kind = "error"


class ConfigError(CommuniqueError):
    """The user's configuration is missing or wrong (a key, a URL, a model name)."""

    kind = "config"


class InputError(CommuniqueError):
    """An input article cannot be read or is not usable (empty, binary, too long)."""

    kind = "input"

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class FetchError(InputError):
    """A URL could not be fetched (network, HTTP status, size or time limit, robots.txt)."""

    kind = "fetch"


class PromptError(CommuniqueError):
    """A prompt id is unknown or a prompt file is malformed."""

    kind = "prompt"


class ModelAssetError(CommuniqueError):
    """The embedded model file cannot be found, assembled or verified."""

    kind = "model_asset"


class BackendError(CommuniqueError):
    """The language model could not be reached or kept failing."""

    kind = "backend"


class EndpointError(BackendError):
    """The model endpoint cannot be used, for any article: nothing answers at its
    address, the key is refused, or the model is unknown. The message names the
    setting to fix; a batch stops after a few of these in a row."""

    kind = "endpoint"

    def __init__(self, advice: str, *, detail: str = "") -> None:
        super().__init__(advice)
        self.advice = advice
        self.detail = detail


class NotAttemptedError(CommuniqueError):
    """An article of a batch that stopped early (the endpoint cannot be used)."""

    kind = "not_attempted"


class ExtractionError(CommuniqueError):
    """The model's output stayed invalid after every allowed re-ask."""

    kind = "extraction"

    def __init__(
        self,
        message: str,
        *,
        last_output: str | None = None,
        attempts: int = 0,
        prompt_tokens: int = 0,
        completion_tokens: int = 0,
    ) -> None:
        super().__init__(message)
        self.last_output = last_output
        self.attempts = attempts
        self.prompt_tokens = prompt_tokens
        self.completion_tokens = completion_tokens
