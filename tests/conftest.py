"""Shared fixtures: an isolated COMMUNIQUE_HOME, no network but loopback, no real sleeps."""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from fake_openai import FakeOpenAI, fake_openai  # noqa: F401  (fixture re-exported)
from fake_web import fake_web  # noqa: F401  (fixture re-exported)

REPO = Path(__file__).resolve().parents[1]

_ENV_TO_CLEAR = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "COMMUNIQUE_PROMPTS_DIR",
    "COMMUNIQUE_MODEL_PATH",
    "COMMUNIQUE_WORKERS",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every user file goes under tmp_path; no OpenAI credentials or endpoint leak in."""
    home = tmp_path / "communique-home"
    monkeypatch.setenv("COMMUNIQUE_HOME", str(home))
    monkeypatch.setenv("COMMUNIQUE_CACHE_DIR", str(home / "results"))
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    # The fake model's scripted answers are one v5-shaped draft per article (with a
    # summary, no follow-up turn); tests of later prompts name them.
    monkeypatch.setenv("COMMUNIQUE_PROMPT", "meeting_summary@v5")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    # Rich wraps stderr at 80 columns when it is not a terminal; keep messages on one line.
    monkeypatch.setenv("COLUMNS", "4000")
    return home


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):  # AF_UNIX and friends
        return True
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection that is not to this machine (the fake server is on 127.0.0.1)."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise OSError(f"tests may not use the network (tried to connect to {address!r})")
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> Any:
        if not _is_loopback(address):
            raise OSError(f"tests may not use the network (tried to connect to {address!r})")
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """A Summariser built without an explicit RetryPolicy records its sleeps instead."""
    from communique.extract import pipeline

    sleeps: list[float] = []
    monkeypatch.setattr(
        pipeline, "RetryPolicy", functools.partial(pipeline.RetryPolicy, sleep=sleeps.append)
    )
    return sleeps


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def make_summariser(
    fake_openai: FakeOpenAI,  # noqa: F811
    sleeps: list[float],
) -> Callable[..., Any]:
    """Summariser(get_backend("openai:fake-model"), ...) whose retry sleeps are recorded."""
    from communique.extract.backends import get_backend
    from communique.extract.pipeline import Summariser
    from communique.extract.retry import RetryPolicy

    def make(**kwargs: Any) -> Summariser:
        kwargs.setdefault("retry", RetryPolicy(sleep=sleeps.append))
        kwargs.setdefault("jobs", 1)  # the fake server answers from a queue, in order
        model = kwargs.pop("model", "openai:fake-model")
        return Summariser(get_backend(model), **kwargs)

    return make


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    """write("name.txt", "text" or b"bytes") -> path under tmp_path/"in"."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    return _write
