"""Month and weekday names in the languages the tool reads, and patterns over them.

Shared by date candidates, date resolution and place detection ("Martın" is March's,
not Martinique), so it sits below all three.
"""

from __future__ import annotations

import re

from communique import lexicon

# The lexicon's ``month_words``, ``weekday_words`` and ``relative_day_words``, joined in
# this order of languages (a regex alternation takes the first alternative that fits);
# dateparser resolves them.
_MONTH_ORDER = ("en", "ru", "az", "tr", "fr", "es", "nl")
_WEEKDAY_ORDER = ("en", "ru", "fr", "es", "nl", "tr")
ANY_MONTH = "|".join(lexicon.words("month_words", _MONTH_ORDER))
WEEKDAYS = "|".join(lexicon.words("weekday_words", _WEEKDAY_ORDER))
RELATIVE_DAYS = "|".join(lexicon.words("relative_day_words", _MONTH_ORDER))
#: the order of languages of the date wording's other alternations
DATE_ORDER = _MONTH_ORDER
#: words before a weekday in a date ("last Monday": the lexicon's ``weekday_leads``)
WEEKDAY_LEADS = "|".join(lexicon.words("weekday_leads", DATE_ORDER))
_PREPOSITIONS = "|".join(lexicon.words("weekday_prepositions", DATE_ORDER))  # "on Monday"
#: every month name and abbreviation the date candidates know, "|"-separated
MONTH_NAMES = ANY_MONTH
#: a weekday or a relative day ("Wednesday", "yesterday", "dün"): a definite day
RELATIVE_WORDING = re.compile(
    rf"^(?:(?:{WEEKDAY_LEADS}|{_PREPOSITIONS})\s+)?(?:{WEEKDAYS}|{RELATIVE_DAYS})$",
    re.IGNORECASE,
)
#: a month or weekday name, in any of the languages above
DATE_WORDING = re.compile(rf"(?<!\w)(?:{ANY_MONTH}|{WEEKDAYS})(?!\w)", re.IGNORECASE)
