"""What the readers produce: an :class:`Article`, or an :class:`InputProblem` naming the
source and what is wrong with it (so one bad input never stops a batch)."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any, Literal

ProblemKind = Literal["input", "fetch"]


@dataclass(frozen=True)
class Article:
    """One article's text, as the model will see it, and what is known about it.

    ``text`` is what record spans index: a file's body, or a web page's extracted
    main text. ``encoding`` is the codec the bytes were decoded from; ``url`` the
    address the text was finally fetched from (after redirects); ``feed`` the feed
    that listed it.
    """

    source: str
    text: str
    published: dt.date | None = None
    external_id: str | None = None
    encoding: str | None = None
    title: str | None = None
    url: str | None = None
    feed: str | None = None

    @property
    def id(self) -> str:
        return content_id(self.text)

    def meta(self) -> dict[str, Any]:
        """What the article store keeps beside the text."""
        fields = {
            "url": self.url,
            "title": self.title,
            "encoding": self.encoding,
            "feed": self.feed,
            "external_id": self.external_id,
        }
        return {key: value for key, value in fields.items() if value is not None}


@dataclass(frozen=True)
class InputProblem:
    """An input that yields no article: ``kind`` is ``fetch`` when the network failed."""

    source: str
    problem: str
    kind: ProblemKind = "input"


Item = Article | InputProblem


def content_id(text: str) -> str:
    """The article id: the first 16 hex digits of the text's sha256."""
    return content_sha256(text)[:16]


def content_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def parse_iso_date(value: object, source: str) -> dt.date | InputProblem | None:
    """``YYYY-MM-DD`` (a longer ISO timestamp is cut to its date); None when absent."""
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        shown = str(value)[:40] + ("…" if len(str(value)) > 40 else "")
        return InputProblem(source, f"date {shown!r} is not an ISO date (YYYY-MM-DD)")
