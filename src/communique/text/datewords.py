"""Month and weekday names in the languages the tool reads, and patterns over them.

Shared by date candidates, date resolution and place detection ("Martın" is March's,
not Martinique), so it sits below all three.
"""

from __future__ import annotations

import re

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
# Month names in the other languages the eval set covers (ru, az, tr, fr, es, nl);
# dateparser resolves them.
_MONTHS_OTHER = (
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
    "янв|фев|мар|апр|июн|июл|авг|сент|сен|окт|нояб|ноя|дек|"
    "yanvar|fevral|mart|aprel|may|iyun|iyul|avqust|sentyabr|oktyabr|noyabr|dekabr|"
    "ocak|şubat|mart|nisan|mayıs|haziran|temmuz|ağustos|eylül|ekim|kasım|aralık|"
    "janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december"
)
WEEKDAYS = (
    "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    "понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье|"
    "lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    "lunes|martes|miércoles|jueves|viernes|sábado|domingo|"
    "maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag|"
    "pazartesi|salı|çarşamba|perşembe|cuma|cumartesi|pazar"
)
RELATIVE_DAYS = (
    "today|yesterday|tomorrow|the day before yesterday|the day after tomorrow|"
    "сегодня|вчера|завтра|bu gün|dünən|sabah|bugün|dün|yarın|aujourd'hui|hier|demain|"
    "hoy|ayer|mañana|vandaag|gisteren|morgen"
)
ANY_MONTH = f"{_MONTHS}|{_MONTHS_OTHER}"
#: every month name and abbreviation the date candidates know, "|"-separated
MONTH_NAMES = ANY_MONTH
#: a weekday or a relative day ("Wednesday", "yesterday", "dün"): a definite day
RELATIVE_WORDING = re.compile(
    rf"^(?:(?:last|next|this|on)\s+)?(?:{WEEKDAYS}|{RELATIVE_DAYS})$", re.IGNORECASE
)
#: a month or weekday name, in any of the languages above
DATE_WORDING = re.compile(rf"(?<!\w)(?:{ANY_MONTH}|{WEEKDAYS})(?!\w)", re.IGNORECASE)
