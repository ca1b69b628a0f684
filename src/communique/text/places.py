"""Countries, cities and international organisations in any language, to English.

Country names come from CLDR (through Babel) in every language communique reads,
so "Russie", "Rusiya", "Россия" and "Rusia" are all Russia; city names come from
CLDR's time-zone exemplar cities, so "Moscou", "Varsovia" and "Bakı" are Moscow,
Warsaw and Baku. Adjectives ("Georgian", "gürcü", "грузинский") count as mentions
of their country when they share its stem; the few irregular English demonyms and
the organisations (UN, EU, NATO...) with their acronyms in other languages are the
only tables kept here.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

from communique import lexicon
from communique.text.datewords import DATE_WORDING
from communique.text.morphology import _analyzer as russian_analyzer
from communique.text.names import title_words
from communique.text.role_concepts import concepts
from communique.text.spans import WORD_PATTERN

#: languages whose CLDR names are indexed (English first: its names are the canonical ones)
LANGUAGES = ("en", "ru", "az", "tr", "fr", "es", "nl", "de", "it", "pt", "uk")

# Project conventions where CLDR's English name is not the one a briefing uses.
_ENGLISH_OVERRIDES = {
    "CI": "Ivory Coast",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "MM": "Myanmar",
    "PS": "Palestine",
    "VA": "Holy See",
    "HK": "Hong Kong",
    "MO": "Macau",
}
# Other English names in common use, and names CLDR does not list.
_EXTRA_NAMES = {
    "US": ("USA", "U.S.", "U.S.A.", "United States of America", "America"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "England"),
    "RU": ("Russian Federation",),
    "BY": ("Belorussia", "Byelorussia", "Белоруссия"),
    "TR": ("Turkey", "Turkiye", "Republic of Türkiye"),
    "AE": ("UAE", "Emirates"),
    "CN": ("People's Republic of China", "PRC"),
    "KR": ("Republic of Korea",),
    "KP": ("DPRK", "North Korea"),
    "CZ": ("Czech Republic",),
    "NL": ("Holland",),
    "IR": ("Islamic Republic of Iran",),
    "SY": ("Syrian Arab Republic",),
    "MD": ("Republic of Moldova",),
    "MK": ("Macedonia",),
    "VA": ("Vatican", "Vatican City"),
    "PS": ("State of Palestine", "Palestinian Territories", "Palestine"),
}
# Demonyms that do not share a stem with the country name (the lexicon's
# ``irregular_demonyms``, every language's).
_IRREGULAR_DEMONYMS = {
    word: code
    for language in lexicon.languages()
    for code, words in lexicon.table("irregular_demonyms", language).items()
    for word in words
}
# First words of country names that are not adjectives of that country.
_NOT_ADJECTIVES = frozenset(lexicon.words("not_demonyms"))
# International organisations: canonical English acronym or name, and other forms.
ORGANISATIONS: dict[str, tuple[str, ...]] = {
    "UN": ("United Nations", "ООН", "ONU", "BM", "BMT", "Birleşmiş Milletler",
           "Birləşmiş Millətlər", "Organisation des Nations unies", "Nations unies",
           "Naciones Unidas",
           "Verenigde Naties", "VN"),
    "EU": ("European Union", "ЕС", "Евросоюз", "UE", "AB", "Aİ", "Avropa İttifaqı",
           "Avrupa Birliği", "Union européenne", "Unión Europea", "Europese Unie",
           "European Commission", "Европейская комиссия", "Еврокомиссия",
           "Commission européenne", "Comisión Europea", "Europese Commissie",
           "Avrupa Komisyonu", "Avropa Komissiyası", "European Council"),
    "NATO": ("НАТО", "OTAN", "North Atlantic Treaty Organization"),
    "OSCE": ("ОБСЕ", "AGİT", "ATƏT", "OVSE",
             "Organization for Security and Co-operation in Europe"),
    "OIC": ("ОИС", "İİT", "İƏT", "OCI", "Organisation of Islamic Cooperation",
            "Organization of Islamic Cooperation"),
    "African Union": ("AU", "Африканский союз", "Union africaine", "Unión Africana",
                      "Afrika Birliği", "Afrika İttifaqı", "Afrikaanse Unie", "UA"),
    "CIS": ("СНГ", "BDT", "MDB", "CEI", "GOS", "Commonwealth of Independent States"),
    "Council of Europe": ("Совет Европы", "Conseil de l'Europe", "Consejo de Europa",
                          "Avrupa Konseyi", "Avropa Şurası", "Raad van Europa"),
    "OAS": ("OEA", "Organization of American States"),
    "ASEAN": ("АСЕАН",),
    "Arab League": ("Лига арабских государств", "Ligue arabe", "Liga Árabe", "Arap Birliği"),
    "Organization of Turkic States": ("OTS", "ОТГ", "TDT", "Türk Devletleri Teşkilatı",
                                      "Türk Dövlətləri Təşkilatı"),
    "TURKPA": ("ТюркПА", "Parliamentary Assembly of Turkic States"),
    "SCO": ("ШОС", "ŞİT", "OCS", "Shanghai Cooperation Organisation"),
    "CSTO": ("ОДКБ", "KGAÖ", "Collective Security Treaty Organization"),
    "BRICS": ("БРИКС",),
    "IMF": ("МВФ", "FMI", "IWF", "International Monetary Fund"),
    "World Bank": ("Всемирный банк", "Banque mondiale", "Banco Mundial", "Dünya Bankası"),
    "FAO": ("Food and Agriculture Organization",),
    "WHO": ("ВОЗ", "OMS", "DSÖ", "ÜST", "World Health Organization"),
    "ICRC": ("МККК", "CICR", "International Committee of the Red Cross"),
    "ECLAC": ("CEPAL", "ЭКЛАК", "Economic Commission for Latin America and the Caribbean"),
    "UNDP": ("PNUD", "ПРООН", "UNDP", "United Nations Development Programme"),
    "UNICEF": ("ЮНИСЕФ",),
    "UNESCO": ("ЮНЕСКО",),
    "WTO": ("ВТО", "OMC", "DTÖ", "ÜTT", "World Trade Organization"),
    "ILO": ("МОТ", "OIT", "ILO", "International Labour Organization"),
    "UNHCR": ("УВКБ", "HCR", "ACNUR", "BMMYK", "United Nations High Commissioner for Refugees"),
    "EBRD": ("ЕБРР", "BERD", "European Bank for Reconstruction and Development",
             "Европейский банк реконструкции и развития", "Avrupa İmar ve Kalkınma Bankası"),
}  # fmt: skip
#: countries that are one city: "Singapore, Singapore" states a city, "Georgia, Georgia" none
CITY_STATES = frozenset({"SG", "MC", "VA", "HK", "MO", "GI"})
#: organisations that belong to another: naming the parent does not contradict them
PART_OF: dict[str, str] = {
    name: "UN"
    for name in ("UNICEF", "UNESCO", "UNDP", "UNHCR", "WHO", "FAO", "ILO", "ECLAC", "IMF",
                 "World Bank")
}  # fmt: skip
# Regions named like a country ("América del Sur" is no mention of America): a run
# that is one of them names no country.
REGIONS: tuple[str, ...] = (
    "South America", "Latin America", "Central America", "North America",
    "América del Sur", "América Latina", "Latinoamérica", "América Central",
    "Centroamérica", "Amérique du Sud", "Amérique latine", "Amérique centrale",
    "Zuid-Amerika", "Latijns-Amerika", "Midden-Amerika", "Южная Америка",
    "Латинская Америка", "Центральная Америка", "Cənubi Amerika", "Latın Amerikası",
    "Güney Amerika", "Latin Amerika", "Orta Amerika",
)  # fmt: skip


def fold(text: str) -> str:
    """Lower-case ASCII, punctuation kept: 'Bakı' -> 'baki', 'Москва' -> 'moskva'."""
    decomposed = unicodedata.normalize("NFKD", text)
    base = "".join(c for c in decomposed if not unicodedata.combining(c))
    return anyascii(base).lower()


@lru_cache(maxsize=65536)
def _key(text: str) -> str:
    key = re.sub(r"['’`.]", "", fold(text))
    key = " ".join(re.sub(r"[^a-z0-9]+", " ", key).split())
    return key.removeprefix("the ") if key != "the hague" else key


@dataclass(frozen=True)
class _Index:
    countries: dict[str, str]  # key -> ISO code
    english: dict[str, str]  # ISO code -> English name
    cities: dict[str, str]  # key -> English city
    stems: dict[str, str]  # stem key -> ISO code
    first_words: dict[str, str]  # first word of a many-word name -> ISO code
    organisations: dict[str, str]  # key -> canonical
    regions: frozenset[str]  # keys of regions named like a country


@lru_cache(maxsize=1)
def _index() -> _Index:
    from zoneinfo import available_timezones

    from babel import Locale

    countries: dict[str, str] = {}
    english: dict[str, str] = {}
    cities: dict[str, str] = {}
    stems: dict[str, str] = {}
    first_words: list[tuple[str, str]] = []  # "saudi" of Saudi Arabia, "bosnia"...
    zones = sorted(z for z in available_timezones() if "/" in z and not z.startswith("Etc"))
    for zone in zones:  # English exemplar cities are the zone ids themselves
        city = zone.rsplit("/", 1)[1].replace("_", " ")
        cities.setdefault(_key(city), city)
    for language in LANGUAGES:
        locale = Locale.parse(language)
        for code, name in locale.territories.items():
            if len(code) != 2 or code in ("EU", "EZ", "UN", "ZZ", "QO"):
                continue
            if language == "en":
                english[code] = _ENGLISH_OVERRIDES.get(code, name)
            key = _key(name)
            countries.setdefault(key, code)
            if " " not in key and len(key) >= 4:
                stems.setdefault(_stem(key, language), code)
            elif key:
                first_words.append((key.split()[0], code))
        for zone, names in locale.time_zones.items():
            local: object = names.get("city") if hasattr(names, "get") else None
            if isinstance(local, str) and "/" in zone:
                english_city = zone.rsplit("/", 1)[1].replace("_", " ")
                cities.setdefault(_key(local), english_city)
    # A first word that opens the names of several countries ("República" of the
    # Dominican, Central African and Congo republics) names none of them.
    codes_of: dict[str, set[str]] = {}
    for word, code in first_words:
        codes_of.setdefault(word, set()).add(code)
    firsts: dict[str, str] = {}
    for word, code in first_words:
        if len(word) >= 5 and word not in _NOT_ADJECTIVES and len(codes_of[word]) == 1:
            firsts.setdefault(word, code)
    for code, names in _EXTRA_NAMES.items():
        for name in names:
            countries.setdefault(_key(name), code)
    organisations: dict[str, str] = {}
    for canonical, forms in ORGANISATIONS.items():
        for form in (canonical, *forms):
            organisations.setdefault(_key(form), canonical)
    regions = frozenset(_key(name) for name in REGIONS)
    return _Index(countries, english, cities, stems, firsts, organisations, regions)


def _stem(key: str, language: str) -> str:
    """The part of a country name its adjectives share: 'gurcustan' -> 'gurcu',
    'uzbekistan' -> 'uzbek', 'georgia' -> 'georg', 'iran' -> 'iran'."""
    bare = re.sub(r"(?:i|u)?stan$", "", key)
    if len(bare) >= 4 and bare != key:
        return bare
    if len(key) <= 4:
        return key
    return key[:-1] if len(key) <= 6 else key[: max(5, len(key) - 2)]


def country_code(name: str) -> str | None:
    """ISO code of a country named in any indexed language ('Россия' -> 'RU')."""
    return _index().countries.get(_key(name))


def english_country(name: str) -> str | None:
    """The English name of a country given in any language, or None if not a country."""
    code = country_code(name)
    return _index().english.get(code) if code else None


def english_name_of(code: str) -> str | None:
    return _index().english.get(code)


def city_country(city: str) -> str | None:
    """ISO code of the country of a city CLDR knows by its English name ('Kyiv' -> 'UA')."""
    return _city_countries().get(_key(city))


@lru_cache(maxsize=1)
def _city_countries() -> dict[str, str]:
    from zoneinfo import available_timezones

    from babel.core import get_global

    territories = get_global("zone_territories")
    found: dict[str, str] = {}
    for zone in sorted(available_timezones()):
        code = territories.get(zone)
        if "/" in zone and code and len(code) == 2:
            found.setdefault(_key(zone.rsplit("/", 1)[1].replace("_", " ")), code)
    return found


def english_city(name: str) -> str | None:
    """The English name of a city CLDR knows ('Varsovia' -> 'Warsaw'), else None."""
    return _index().cities.get(_key(name))


def organisation(name: str) -> str | None:
    """Canonical name of an international organisation ('ООН' -> 'UN'), else None."""
    return _index().organisations.get(_key(name))


#: languages that capitalise adjectives of nationality ("Georgian", "Nederlandse")
CAPITALISED_ADJECTIVES = frozenset({"en", "nl", "de"})


@lru_cache(maxsize=65536)
def demonym_country(word: str, language: str | None = None) -> str | None:
    """ISO code of the country an adjective or demonym names ('Georgian', 'грузинский').

    In languages that capitalise such adjectives (English, Dutch, German) a lower-case
    word never counts, so "children" is not Chile and "indicated" not India.
    """
    lowered = word.lower()
    if lowered in _IRREGULAR_DEMONYMS:
        return _IRREGULAR_DEMONYMS[lowered]
    if language in CAPITALISED_ADJECTIVES and not word[:1].isupper():
        return None
    key = _key(word)
    if not key or " " in key or len(key) < 4:
        return None
    index = _index()
    if key in index.countries:
        return index.countries[key]
    for table in (index.stems, index.first_words):  # "Georgian": Georgia before South Georgia
        for size in range(len(key), 3, -1):  # "Великобритании": the whole stem
            code = table.get(key[:size])
            if code is None:
                continue
            # a four-letter stem (Iran, Peru, Mali) only with a short demonym ending,
            # and never in a word naming a title ("Maliye Bakanı" is the finance minister)
            bare = re.split("['’]", word, maxsplit=1)[0]  # "Mali'ye": Mali, to Mali
            if size >= 5 or (len(key) <= size + 4 and not concepts(bare, language)):
                return code if _may_name_a_place(word) else None
    return None


def _may_name_a_place(word: str) -> bool:
    """Whether pymorphy3 lets a Russian word be a place or a demonym: a word its
    dictionary knows only as a common noun is none ("Палаты" is a chamber, not Palau).
    Words of other scripts, and words the dictionary does not know, may be."""
    if not any("а" <= c <= "я" or c == "ё" for c in word.lower()):
        return True
    analyzer = russian_analyzer()
    lowered = word.lower()
    if not analyzer.word_is_known(lowered):
        return True
    return any(
        "Geox" in p.tag or p.tag.POS in ("ADJF", "ADJS") or "anim" in p.tag
        for p in analyzer.parse(lowered)
    )


_WORD = re.compile(WORD_PATTERN)
#: titles that are also exemplar cities somewhere ("General"): never a place in a text
_TITLE_KEYS = title_words()


@dataclass(frozen=True)
class PlaceMention:
    start: int
    end: int
    kind: str  # "country" | "organisation" | "city" (a region is skipped, never yielded)
    value: str  # ISO code, organisation canonical name, or English city


def place_mentions(text: str, language: str | None = None) -> tuple[PlaceMention, ...]:
    """Countries (names and adjectives), organisations and cities mentioned in ``text``.

    Runs of up to four words are tried longest first, so "United Arab Emirates" is one
    mention. Lower-case words only count as adjectives ("gürcü", "грузинский").
    Remembered per text: several passes ask about the same article.
    """
    return _place_mentions(text, language)


@lru_cache(maxsize=512)
def _place_mentions(text: str, language: str | None) -> tuple[PlaceMention, ...]:
    return tuple(_find_place_mentions(text, language))


def _find_place_mentions(text: str, language: str | None) -> Iterator[PlaceMention]:
    words = list(_WORD.finditer(text))
    count = len(words)
    # joined[k]: nothing but spaces and dashes between word k and the next
    joined = [not text[a.end() : b.start()].strip(" -") for a, b in itertools.pairwise(words)]
    index = _index()
    i = 0
    while i < count:
        found: PlaceMention | None = None
        first = words[i].group()
        capital = first[0].isupper() or first.isupper()
        longest = 1  # the longest run of up to four joined words from here
        while longest < min(4, count - i) and joined[i + longest - 1]:
            longest += 1
        for size in range(longest, 0, -1):
            start, end = words[i].start(), words[i + size - 1].end()
            key = _key(text[start:end])
            if key in index.regions:
                found = PlaceMention(start, end, "region", key)
            elif key in index.organisations and (capital or size > 1):
                found = PlaceMention(start, end, "organisation", index.organisations[key])
            elif key in index.countries and capital:
                found = PlaceMention(start, end, "country", index.countries[key])
            elif key in index.cities and capital and key not in _TITLE_KEYS:
                found = PlaceMention(start, end, "city", index.cities[key])
            elif (
                size == 1
                and not _date_word(first)  # "Martın" is March's, not Martinique
                # a country's name in lower case is a common word ("reunión", not Réunion)
                and not (key in index.countries and not capital)
                and (code := demonym_country(first, language)) is not None
            ):
                found = PlaceMention(start, end, "country", code)
            if found is not None:
                i += size
                break
        if found is not None and found.kind != "region":
            yield found
        elif found is None:
            i += 1


@lru_cache(maxsize=65536)
def _date_word(word: str) -> bool:
    """A month or weekday name, maybe with a case ending ("Martın", "Mayısta")."""
    word = word.rstrip("'’")
    return any(
        DATE_WORDING.fullmatch(word[: len(word) - cut].rstrip("'’"))
        for cut in range(0, min(4, len(word) - 3) + 1)
    )


def is_place(name: str) -> bool:
    """A country, organisation or city CLDR knows, in any indexed language."""
    return (
        country_code(name) is not None
        or organisation(name) is not None
        or english_city(name) is not None
    )


def canonical_place(name: str) -> str:
    """A comparison key: the English country, organisation or city, else the folded name."""
    if (code := country_code(name)) is not None:
        return _index().english.get(code, name).casefold()
    if (org := organisation(name)) is not None:
        return org.casefold()
    if (city := english_city(name)) is not None:
        return city.casefold()
    return _key(name)


# A Turkic place name with a locative, ablative or genitive ending ("Bakıda", "Ankara'dan";
# the lexicon's ``locative_patterns`` and ``genitive_patterns``).
_TURKIC_ENDINGS = "|".join(
    lexicon.alternation(category, ("az", "tr"))
    for category in ("locative_patterns", "genitive_patterns")
)
_TURKIC_CASE = re.compile(rf"^(.{{3,}}?)['’]?(?:{_TURKIC_ENDINGS})$", re.IGNORECASE)
_LATIN_OR_DIGIT = re.compile(r"^[\W\d_a-zA-Z\u00c0-\u024f]*$")


def venue_city(name: str, language: str | None = None) -> str | None:
    """A venue's city in English, or None when the value is not a city.

    "Moscou" is Moscow (CLDR); "Будапеште" is put in the nominative and becomes
    Budapest; an Azerbaijani or Turkish locative ("Ankarada", "Bakü'de") loses its
    case ending; a country or an organisation written as the city is not one.
    """
    name = " ".join(name.split())
    if not name or organisation(name) is not None:
        return None
    if (code := country_code(name)) is not None:  # a country, unless a city-state
        return english_city(name) if code in CITY_STATES else None
    if (english := english_city(name)) is not None:
        return english
    from communique.text.morphology import nominative_place

    nominative = nominative_place(name)
    if nominative != name:
        return english_city(nominative) or anyascii(nominative)
    if language in ("az", "tr") and (match := _TURKIC_CASE.match(name)):
        stem = match.group(1)
        return english_city(stem) or stem
    if not _LATIN_OR_DIGIT.match(name):
        return anyascii(name)
    return name
