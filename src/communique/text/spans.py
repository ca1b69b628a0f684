"""Character spans of a source text, and how a value was found in it.

These sit below the record schema so that alignment (:mod:`communique.text.alignment`)
can produce them without depending on the record.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

AlignmentStatus = Literal["exact", "case_insensitive", "fuzzy", "ungrounded"]


class Span(BaseModel):
    """A character span of the article text: ``text == article_text[start:end]``."""

    model_config = ConfigDict(extra="forbid")

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before its start {self.start}")
        return self


#: a letter, or a combining mark after one: "Tu\u0308rkiye" (decomposed) is one word
LETTER = r"(?:[^\W\d_][\u0300-\u036f]*)"
#: a word of letters, with inner apostrophes and hyphens ("Boutros-Ghali", "d'Ivoire")
WORD_PATTERN = rf"{LETTER}+(?:['’\-]{LETTER}+)*"
