"""Whether two spellings of a name name the same person."""

from __future__ import annotations

import functools
import re

from rapidfuzz import fuzz

from communique.evals.assignment import best_assignment
from communique.text.names import name_tokens, same_person

TOKEN_FUZZ_THRESHOLD = 80.0


def translit(token: str) -> str:
    """Collapse common romanisation variants: Aliyev/Aliev, Il'kham/Ilham, Sergey/Sergei."""
    token = re.sub(r"['’`.-]", "", token)
    for old, new in (("dzh", "j"), ("zh", "j"), ("kh", "h"), ("ph", "f"), ("w", "v"), ("y", "i")):
        token = token.replace(old, new)
    return re.sub(r"(.)\1+", r"\1", token)


def _tokens_match(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) == 1 or len(b) == 1:  # an initial matches a word it begins
        return len(a) != len(b) and a[0] == b[0]
    ta, tb = translit(a), translit(b)
    if ta == tb:
        return True
    return min(len(ta), len(tb)) >= 5 and fuzz.ratio(ta, tb) >= TOKEN_FUZZ_THRESHOLD


@functools.lru_cache(maxsize=65_536)
def person_match(a: str, b: str) -> bool:
    """True when two names very probably name the same person.

    Forgives diacritics, transliteration, word order, initials and one extra
    middle name or patronymic (two when the shorter name has three words), but
    every word of the shorter name must be matched: a shared surname alone is
    not enough, and a one-word name only matches a one-word name.
    """
    if same_person(a, b):
        return True
    ta, tb = name_tokens(a), name_tokens(b)
    if not ta or not tb:
        return False
    small, large = (ta, tb) if len(ta) <= len(tb) else (tb, ta)
    if len(small) == 1:
        return len(large) == 1 and len(small[0]) > 1 and _tokens_match(small[0], large[0])
    if len(large) - len(small) > (1 if len(small) == 2 else 2):
        return False
    grid = [[1.0 if _tokens_match(x, y) else 0.0 for y in large] for x in small]
    pairs = [(i, j) for i, j in best_assignment(grid) if grid[i][j] > 0]
    full_words = sum(1 for i, j in pairs if len(small[i]) > 1 and len(large[j]) > 1)
    return len(pairs) == len(small) and full_words >= 1
