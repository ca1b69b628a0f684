"""communique: press releases about official meetings in, validated meeting records out.

Library use::

    from communique import Summariser, read_inputs
    for record in Summariser().summarise_many(read_inputs(["samples/"])):
        print(record.model_dump_json())
"""

from __future__ import annotations

__version__ = "0.1.0"

from communique.errors import CommuniqueError
from communique.extract.pipeline import Summariser
from communique.inputs import Article, InputProblem, read_inputs
from communique.schema import SCHEMA_VERSION, ArticleRecord, Event, Participant

__all__ = [
    "SCHEMA_VERSION",
    "Article",
    "ArticleRecord",
    "CommuniqueError",
    "Event",
    "InputProblem",
    "Participant",
    "Summariser",
    "__version__",
    "read_inputs",
]
