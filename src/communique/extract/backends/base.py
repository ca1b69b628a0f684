"""What a backend is: something that answers OpenAI-style chat completion calls.

Every backend goes through the same code path: instructor patches the backend's
``create`` (an OpenAI ``chat.completions.create`` or a function with the same
shape), so validation, re-asks and usage counting are shared. A backend class
has one required method, :meth:`Backend.create`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from openai.types.chat import ChatCompletion


#: set by a backend that answered the current thread's last request from a Batch API
#: round (its number), so the call log can tell batch answers, at their price, from live
#: ones; None: the answer came live
ANSWERED_IN_ROUND: ContextVar[int | None] = ContextVar("answered_in_round", default=None)


class Backend(ABC):
    #: registry name, e.g. ``local`` or ``openai``
    kind: str = ""

    @property
    @abstractmethod
    def model_id(self) -> str:
        """Stable identity of the model (goes into provenance and cache keys)."""

    @abstractmethod
    def create(self, **kwargs: Any) -> ChatCompletion:
        """One chat completion, OpenAI ``chat.completions.create`` keyword arguments."""

    def context_tokens(self) -> int | None:
        """The model's context size in tokens, when the backend knows it."""
        return None

    def count_tokens(self, text: str) -> int:
        """Tokens ``text`` takes; backends without a tokenizer estimate."""
        return len(text) // 3 + 1

    def describe(self) -> dict[str, Any]:
        """Settings worth recording in provenance (never secrets)."""
        return {}


class WrappedBackend(Backend, ABC):
    """A backend in front of another (a rate limiter, a batch replay): it answers for
    the inner backend's model, context, tokenizer and settings, and overrides ``create``."""

    def __init__(self, inner: Backend) -> None:
        self.inner = inner
        self.kind = inner.kind

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def context_tokens(self) -> int | None:
        return self.inner.context_tokens()

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    def describe(self) -> dict[str, Any]:
        return self.inner.describe()
