"""Names of organisations, told from names of people by the lexicon's cue words.

"Fondation Mérieux", "Qoşulmama Hərəkatının" (the Non-Aligned Movement's) and
"Министерство обороны" are capitalised runs of words like a person's name; a word
of the ``organisation_words`` category of any language's lexicon makes the run an
organisation's.
"""

from __future__ import annotations

import re
from functools import cache

from communique import lexicon
from communique.text.alignment import fold_value

_WORD = re.compile(r"[a-z0-9]+")


@cache
def _cues() -> tuple[tuple[str, int], ...]:
    """(folded cue word, letters an ending may add), for every language."""
    return tuple(
        (fold_value(word).replace("'", ""), lexicon.max_ending(language))
        for language in lexicon.languages()
        for word in lexicon.words("organisation_words", language)
    )


def is_organisation_name(name: str) -> bool:
    """Whether a word of ``name`` is an organisation word of some language."""
    for word in _WORD.findall(fold_value(name).replace("'", "")):
        for cue, ending in _cues():
            if word.startswith(cue) and len(word) - len(cue) <= ending:
                return True
    return False
