"""Aligning extracted values back to character spans of the source text.

Three passes, each tried only when the one before finds nothing:

1. ``exact``: the value occurs verbatim;
2. ``case_insensitive``: it occurs once case, diacritics and script are folded
   (``Sentop`` finds ``Şentop``, ``Lavrov`` finds ``Лавров``);
3. ``fuzzy``: the best partial match on the folded text scores at least
   :data:`FUZZY_THRESHOLD` (rapidfuzz ``partial_ratio``), or, for names, every word
   of the name is found near each other in any order.

Offsets are Python string indices (code points) into the article text, so they are
right for any script: ``text[span.start:span.end] == span.text``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii
from rapidfuzz import fuzz

from communique.text.spans import AlignmentStatus, Span

FUZZY_THRESHOLD = 85.0
MAX_SPANS = 8
_NAME_WINDOW = 60


@dataclass(frozen=True)
class Alignment:
    status: AlignmentStatus
    spans: list[Span]

    @property
    def grounded(self) -> bool:
        return self.status != "ungrounded"


class FoldedText:
    """The text folded to lower-case ASCII, with a map back to original offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.folded = text.translate(_FOLDED)
        if _FOLDED.odd.isdisjoint(text):  # every character folds to one: the usual case
            self._origin: list[int] | range = range(len(text))
        else:
            origin: list[int] = []
            for index, char in enumerate(text):
                origin.extend([index] * len(_FOLDED[ord(char)]))
            self._origin = origin

    def span(self, start: int, end: int) -> Span:
        """Original-text span covering folded offsets ``start:end``."""
        first = self._origin[start]
        last = self._origin[end - 1] + 1
        return Span(start=first, end=last, text=self.text[first:last])


def _fold_char(char: str) -> str:
    if char.isascii():
        return char.lower()
    decomposed = unicodedata.normalize("NFKD", char)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return anyascii(base or char).lower()


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each character on first sight, then remembers
    it: folding runs in C for every character seen before."""

    def __init__(self) -> None:
        super().__init__()
        #: characters that fold to more or fewer than one ("ß" -> "ss", "中" -> "zhong")
        self.odd: set[str] = set()

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        if len(folded) != 1:
            self.odd.add(chr(code))
        return folded


_FOLDED = _FoldTable()


def fold_value(value: str) -> str:
    return value.translate(_FOLDED)


def _exact(text: str, value: str) -> list[Span]:
    """Verbatim occurrences that are whole words ("Ali" is not inside "Aliyev")."""
    pattern = re.compile(r"(?<!\w)" + re.escape(value) + r"(?!\w)")
    return [Span(start=m.start(), end=m.end(), text=m.group()) for m in pattern.finditer(text)][
        :MAX_SPANS
    ]


def _folded(doc: FoldedText, value: str) -> list[Span]:
    needle = fold_value(value)
    if not needle.strip():
        return []
    pattern = re.compile(r"(?<![a-z0-9])" + re.escape(needle) + r"(?![a-z0-9])")
    return [doc.span(m.start(), m.end()) for m in pattern.finditer(doc.folded)][:MAX_SPANS]


def _name_words_nearby(doc: FoldedText, value: str) -> list[Span]:
    """Every word of a name present within a short window, in any order."""
    words = [w for w in re.findall(r"[a-z0-9]+", fold_value(value)) if len(w) > 1]
    if len(words) < 2:
        return []
    positions: list[list[tuple[int, int]]] = []
    for word in words:
        found = [
            (m.start(), m.end())
            for m in re.finditer(r"(?<![a-z0-9])" + re.escape(word) + r"(?![a-z0-9])", doc.folded)
        ]
        if not found:
            return []
        positions.append(found)
    spans = []
    for start, end in positions[0]:
        lo, hi = start, end
        for other in positions[1:]:
            near = [p for p in other if abs(p[0] - start) <= _NAME_WINDOW]
            if not near:
                break
            lo = min(lo, near[0][0])
            hi = max(hi, near[0][1])
        else:
            spans.append(doc.span(lo, hi))
    return spans[:MAX_SPANS]


def align(
    text: str, value: str, *, doc: FoldedText | None = None, is_name: bool = False
) -> Alignment:
    """Find ``value`` in ``text``; see the module docstring for the passes."""
    value = value.strip()
    if not value:
        return Alignment("ungrounded", [])
    spans = _exact(text, value)
    if spans:
        return Alignment("exact", spans)
    doc = doc or FoldedText(text)
    spans = _folded(doc, value)
    if spans:
        return Alignment("case_insensitive", spans)
    if is_name:
        spans = _name_words_nearby(doc, value)
        if spans:
            return Alignment("fuzzy", spans)
    needle = fold_value(value)
    if len(needle) >= 4:
        result = fuzz.partial_ratio_alignment(needle, doc.folded, score_cutoff=FUZZY_THRESHOLD)
        if result is not None and result.dest_end > result.dest_start:
            start, end = result.dest_start, result.dest_end
            while start < end and not doc.folded[start].isalnum():
                start += 1
            while end > start and not doc.folded[end - 1].isalnum():
                end -= 1
            if end > start:
                return Alignment("fuzzy", [doc.span(start, end)])
    return Alignment("ungrounded", [])
