"""Finding the complete event objects in a (possibly unfinished) model output.

The model writes ``{"events":[{...},{...},...]}``; these helpers find where each
complete event object starts and ends, so an output cut off by ``max_tokens`` can
keep its finished events and a repeating one can be stopped early.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


@dataclass
class EventScanner:
    """Incremental scanner: feed text, get the spans of event objects as they close."""

    text: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)
    _depth: int = 0
    _in_string: bool = False
    _escaped: bool = False
    _start: int = -1

    @property
    def open_start(self) -> int:
        """Where the event object being written starts, or -1 between events."""
        return self._start

    def feed(self, piece: str) -> list[tuple[int, int]]:
        """Add text; return the spans of the event objects it completed."""
        done = []
        offset = len(self.text)
        self.text += piece
        for index, char in enumerate(piece, start=offset):
            if self._in_string:
                if self._escaped:
                    self._escaped = False
                elif char == "\\":
                    self._escaped = True
                elif char == '"':
                    self._in_string = False
            elif char == '"':
                self._in_string = True
            elif char in "{[":
                self._depth += 1
                if char == "{" and self._depth == 3:
                    self._start = index
            elif char in "}]":
                if char == "}" and self._depth == 3 and self._start >= 0:
                    done.append((self._start, index + 1))
                    self._start = -1
                self._depth -= 1
        self.spans.extend(done)
        return done


def event_ends(text: str) -> list[int]:
    """Offsets just after each complete event object in ``text``."""
    scanner = EventScanner()
    scanner.feed(text)
    return [end for _, end in scanner.spans]


def event_key(obj: str) -> tuple[Any, ...] | None:
    """What makes an event the same as another: kind, date and the people's names."""
    try:
        event = json.loads(obj)
    except json.JSONDecodeError:
        return None
    if not isinstance(event, dict):
        return None
    names = sorted(str(p.get("name")) for p in event.get("people", []) if isinstance(p, dict))
    return (event.get("kind"), event.get("date"), tuple(names))


_PEOPLE_END = '],"signed":'


class RepeatGuard:
    """Spots the moment a model starts writing an event it has already written."""

    def __init__(self) -> None:
        self.scanner = EventScanner()
        self._seen: set[tuple[Any, ...]] = set()
        self._heads: list[str] = []
        self._last_distinct_end = -1

    def feed(self, piece: str) -> int | None:
        """Add output; return the offset to cut at when an event repeats, else None.

        A repeat is caught as soon as its people list is written identically to an
        earlier event's, or at the latest when it closes with the same key.
        """
        finished = self.scanner.feed(piece)
        start = self.scanner.open_start
        if start >= 0 and self._heads:
            current = self.scanner.text[start:]
            if any(current.startswith(head) for head in self._heads):
                return self._last_distinct_end
        for start, end in finished:
            text = self.scanner.text[start:end]
            marker = text.find(_PEOPLE_END)
            if marker > 0:
                self._heads.append(text[: marker + len(_PEOPLE_END)])
            key = event_key(self.scanner.text[start:end])
            if key is not None and key in self._seen:
                return self._last_distinct_end
            if key is not None:
                self._seen.add(key)
            self._last_distinct_end = end
        return None
