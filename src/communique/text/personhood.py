"""Whether a name a text-reading pass found can be a person's.

The passes that add people from the text (attendees, meetings the model missed) read
capitalised runs next to titles; some runs are no person. One check for all of them:
an organisation's name, a run naming a title's concept ("Energía Eléctrica" names a
portfolio) or one that ends in a country's name ("Erdoğan İran": a name, then the
country of the next words) is none, and a name cut short, at an initial ("George W")
or a particle ("Mohammed bin Salman Al"), is no whole name.
"""

from __future__ import annotations

from communique import lexicon
from communique.text.names import fold
from communique.text.organisations import is_organisation_name
from communique.text.places import country_code
from communique.text.role_concepts import concepts


def can_be_person(name: str, language: str | None) -> bool:
    """Whether ``name``, read from the text, can be a person's name."""
    if is_organisation_name(name) or concepts(name, language):
        return False
    words = name.split()
    if len(words) > 1 and (
        len(words[-1].rstrip(".")) == 1 or fold(words[-1]) in _PARTICLES
    ):  # cut at an initial or a particle: the rest of the name is missing
        return False
    return not any(country_code(word) is not None for word in words[1:])


_PARTICLES = frozenset(lexicon.words("name_particles"))
