"""An article read once: what every later stage needs to know about its text.

The counterpart of spaCy's ``Doc``: :func:`analyse` makes one :class:`AnalysedArticle`
per article, and the request to the model, assembly and every post-model pass read
from it. Each fact (the language, the folded text the spans are aligned in, the
candidate names, dates and documents offered to the model) is worked out on first
use and then kept, so no stage works it out again and a cache hit that needs none
of them pays for none.
"""

from __future__ import annotations

import datetime as dt
from functools import cached_property
from typing import TYPE_CHECKING

from communique.text.instructions import strip_instructions

if TYPE_CHECKING:
    from communique.text.alignment import FoldedText

# Each part imports what computes it on first use: a run served from the cache reads
# no article and loads none of it.


class AnalysedText:
    """One text (an article, what of it the model reads, or one chunk of it) and what
    is known about it, each part computed once."""

    def __init__(self, text: str, language: str | bool | None = False) -> None:
        self.text = text
        if language is not False:  # given (a caller that knows better, or a test)
            self.__dict__["language"] = language

    @cached_property
    def language(self) -> str | None:
        """The main language (ISO 639-1), or None when the text is too short to tell."""
        from communique.text.language import detect_language

        return detect_language(self.text)

    @cached_property
    def folded(self) -> FoldedText:
        """The text folded to lower-case ASCII, with the map back to its offsets."""
        from communique.text.alignment import FoldedText

        return FoldedText(self.text)

    @cached_property
    def candidate_names(self) -> tuple[str, ...]:
        """The names the model may give (runs of capitalised words, as written)."""
        from communique.text.candidates import candidate_names

        return tuple(candidate_names(self.text))

    @cached_property
    def candidate_dates(self) -> tuple[str, ...]:
        from communique.text.candidates import candidate_dates

        return tuple(candidate_dates(self.text))

    @cached_property
    def candidate_documents(self) -> tuple[str, ...]:
        from communique.text.candidates import candidate_documents

        return tuple(candidate_documents(self.text))

    @cached_property
    def needs_english_forms(self) -> bool:
        """Whether the names need their usual English spelling asked for."""
        from communique.text.language import needs_english_forms

        return needs_english_forms(self.language, self.candidate_names)


class AnalysedArticle:
    """An article as the pipeline reads it: the whole text (which assembly reads and
    the spans index) and the part sent to the model (instructions to a model removed;
    the same :class:`AnalysedText` when nothing was removed)."""

    def __init__(
        self,
        text: str,
        published: dt.date | None = None,
        source: str = "",
        language: str | bool | None = False,
    ) -> None:
        self.whole = AnalysedText(text, language)
        self.published = published
        #: where the article came from (for error messages)
        self.source = source

    @cached_property
    def _for_model(self) -> tuple[AnalysedText, int]:
        model_text, removed = strip_instructions(self.whole.text)
        return (self.whole if model_text == self.whole.text else AnalysedText(model_text)), removed

    @property
    def model(self) -> AnalysedText:
        """What the model reads: the article without paragraphs that instruct a model."""
        return self._for_model[0]

    @property
    def instructions_removed(self) -> int:
        return self._for_model[1]


def analyse(
    text: str,
    published: dt.date | None = None,
    source: str = "",
    *,
    language: str | bool | None = False,
) -> AnalysedArticle:
    """Read an article once (nothing is worked out until a stage asks for it)."""
    return AnalysedArticle(text, published, source, language)
