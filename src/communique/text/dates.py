"""Dates as an article words them ("December 5", "yesterday", "5 декабря"), resolved."""

from __future__ import annotations

import datetime as dt
import re
import warnings
from functools import lru_cache

from communique import lexicon
from communique.text.datewords import DATE_ORDER, MONTH_NAMES, RELATIVE_WORDING

#: a year from 1800 to 2199 as a whole word
YEAR = re.compile(r"\b(1[89]\d\d|2[01]\d\d)\b")
_ENDING = re.compile(r"(?<=[\w])['’-][^\W\d_]{1,4}\b")
_MONTH_WORDS = tuple(sorted({m.casefold() for m in MONTH_NAMES.split("|")}, key=len, reverse=True))


def _without_case_endings(wording: str) -> str:
    """Azerbaijani and Turkish endings off a date: "Avqustun 28-də" -> "Avqust 28",
    "28 Ağustos'ta" -> "28 Ağustos"."""
    wording = _ENDING.sub("", wording)
    words = []
    for word in wording.split():
        folded = word.casefold()
        month = next((m for m in _MONTH_WORDS if folded.startswith(m)), None)
        keep = month is not None and 0 < len(folded) - len(month) <= 3 and len(month) >= 4
        words.append(word[: len(month)] if keep and month is not None else word)
    return " ".join(words)


@lru_cache(maxsize=4096)
def _resolve_remembered(date_text: str, published: dt.date, happened: bool) -> dt.date | None:
    """:func:`_resolve`, remembered: an article's passes resolve the same wording again
    and again, and each parse tries every locale dateparser has (tens of ms)."""
    return _resolve(date_text, published, happened)


# Words putting a weekday in another week ("last Wednesday": the lexicon's ``week_shift_words``).
_LAST_OR_NEXT = re.compile(
    rf"\b(?:{'|'.join(lexicon.words('week_shift_words', DATE_ORDER))})\b", re.IGNORECASE
)


def resolve_date(
    date_text: str | None, published: dt.date | None, *, happened: bool
) -> dt.date | None:
    """ISO date for a date as worded ("December 5", "yesterday", "5 декабря 2023").

    Without a year in the wording the publication date supplies it; with neither,
    the date is unknown (None) rather than guessed.
    """
    if not date_text or not date_text.strip():
        return None
    if published is None:  # "today" is the base: not remembered
        return _resolve(date_text, published, happened)
    return _resolve_remembered(date_text, published, happened)


def _resolve(date_text: str, published: dt.date | None, happened: bool) -> dt.date | None:
    wording = date_text.strip()
    try:
        return dt.date.fromisoformat(wording)
    except ValueError:
        pass
    if published is None and not YEAR.search(wording):
        return None
    import dateparser  # slow to import: only when a date needs parsing

    wording = _without_case_endings(wording)  # "Avqustun 28-də" -> "Avqust 28"

    base = dt.datetime.combine(published or dt.date.today(), dt.time(12, 0))
    settings = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "past" if happened else "future",
        "REQUIRE_PARTS": ["day", "month"],
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = dateparser.parse(wording, settings=settings)
        if parsed is None and RELATIVE_WORDING.search(wording):
            # "Wednesday", "yesterday": no day-and-month parts, but a definite day.
            del settings["REQUIRE_PARTS"]
            parsed = dateparser.parse(wording, settings=settings)
    if parsed is None:
        return None
    day = parsed.date()
    if not happened and published is not None and not YEAR.search(wording):
        # A planned event may be on the publication day itself ("will sign on March
        # 14" in an article of March 14): the nearest such day not in the past.
        try:
            same_year = day.replace(year=published.year)
        except ValueError:  # 29 February
            same_year = day
        if published <= same_year < day:
            day = same_year
    if (
        published is not None
        and abs((day - published).days) == 7
        and RELATIVE_WORDING.search(wording)
        and not _LAST_OR_NEXT.search(wording)
    ):
        # "on Wednesday" in an article of Wednesday is that day, not a week away
        return published
    return day
