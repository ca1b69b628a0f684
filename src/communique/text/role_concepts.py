"""What a title says, as concepts: the check that an English role agrees with its source.

A role is written in English; its evidence, the title phrase around the name, is in
the article's language. Both are read as sets of concepts from the lexicon's
``role_concepts`` tables (offices: minister, head of state or of a body, prime
minister, ambassador, envoy, secretary-general, monarch; portfolios: foreign affairs,
defence, economy, ...). The English contradicts its source when both name a portfolio
and the portfolios differ: "Minister of Economic Affairs" for "Moldova's newly
appointed minister of foreign affairs". A source that names none is silent, and
contradicts nothing.
"""

from __future__ import annotations

import re
from functools import cache

from communique import lexicon
from communique.text.alignment import fold_value


@cache
def _patterns(language: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each concept's pattern: its word beginnings, each followed by at most the
    language's ending (``max_ending``, at least a plural's two letters)."""
    ending = max(2, lexicon.max_ending(language))
    found = []
    for concept, entries in lexicon.table("role_concepts", language).items():
        stems = sorted({fold_value(e).replace("'", "") for e in entries}, key=len, reverse=True)
        alternatives = "|".join(re.escape(stem) for stem in stems if stem)
        if alternatives:
            pattern = rf"(?<![a-z0-9])(?:{alternatives})[a-z]{{0,{ending}}}(?![a-z0-9])"
            found.append((concept, re.compile(pattern)))
    return tuple(found)


def concepts(phrase: str, language: str | None) -> frozenset[str]:
    """The concepts ``phrase`` names, read with ``language``'s table and English's."""
    folded = fold_value(phrase).replace("'", "")
    languages = {"en", language} if language else set(lexicon.languages())
    found: set[str] = set()
    for lang in sorted(lang for lang in languages if lang is not None):
        patterns = dict(_patterns(lang))
        prime = patterns.get("office_prime_minister")
        rest = prime.sub(" ", folded) if prime is not None else folded
        for concept, pattern in patterns.items():
            # "Prime Minister" names one office, not two: the minister is looked for
            # outside it ("Vice-Chancellor and Minister of Economic Affairs" names both)
            if pattern.search(rest if concept == "office_minister" else folded):
                found.add(concept)
    return frozenset(found)


def _part(found: frozenset[str], prefix: str) -> frozenset[str]:
    return frozenset(c for c in found if c.startswith(prefix))


def contradicts(role: str, source: str, language: str | None) -> bool:
    """Whether the English ``role`` names another portfolio than ``source``.

    Offices are not compared: a title phrase is sometimes another mention's ("the
    ambassador" beside a minister's second mention), and an office rendered a little
    differently ("Speaker" for "sədr") is no error; a portfolio is specific enough.
    """
    said, stated = concepts(role, "en"), concepts(source, language)
    a, b = _part(said, "portfolio_"), _part(stated, "portfolio_")
    return bool(a and b and not a & b)


def only_counterpart(role: str) -> bool:
    """A role that says only "counterpart" (in any language): no role at all."""
    return concepts(role, None) == {"counterpart"}
