"""The ask stage: the model reads an analysed article and answers with a draft.

One conversation per part of the text (the whole text, or overlapping chunks when
it is too long for the model): the first turn asks for the events; when the prompt
has them, a follow-up turn asks for the events the answer missed, recall turns ask
about each sentence that reports a meeting and names someone in no event yet, and
one more turn asks for the English form of roles left in the article's language.
Each turn continues the same conversation, so the embedded backend reads only the
new turn; a failed turn keeps what the earlier ones gave.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from communique.errors import CommuniqueError, InputError
from communique.extract.backends import Backend
from communique.extract.chunks import split
from communique.extract.prompts import Prompt
from communique.text.analysis import AnalysedArticle, AnalysedText

if TYPE_CHECKING:
    from communique.extract.assemble import Assembled
    from communique.extract.draft import ExtractionDraft
    from communique.extract.modelcall import CallLog, ModelCaller

logger = logging.getLogger("communique")

Messages = list[dict[str, str]]


@dataclass(frozen=True)
class Reading:
    """What the model answered for one article."""

    draft: ExtractionDraft
    #: extraction passes the answer took (1; 2 with the follow-up turn; one more a recall turn)
    passes: int
    #: the first turn's messages when the whole text was read at once (None: chunks)
    messages: Messages | None


class ModelReader:
    """Asks the model about an article, as ``prompt`` says, within ``max_chars`` a call."""

    def __init__(
        self,
        backend: Backend,
        prompt: Prompt,
        caller: Callable[[], ModelCaller],
        *,
        constrain: bool,
        max_chars: int,
        max_reasks: int,
    ) -> None:
        self.backend = backend
        self.prompt = prompt
        self._caller = caller
        self.constrain = constrain
        self.max_chars = max_chars
        self.max_reasks = max_reasks

    def messages(self, text: str, article: AnalysedArticle) -> Messages:
        return self.prompt.messages(text=text, published=article.published)

    def parts(self, article: AnalysedArticle) -> list[AnalysedText]:
        """The parts of the text the model reads, one conversation each: the whole text
        when it fits in ``max_chars`` and the model's context, else overlapping chunks."""
        pieces = [chunk.text for chunk in split(article.model.text, self.max_chars)]
        texts = [part for piece in pieces for part in self._fitting(piece, article)]
        if len(texts) == 1:
            return [article.model]
        return [AnalysedText(text) for text in texts]

    def _fitting(self, text: str, article: AnalysedArticle) -> list[str]:
        """``text``, or its halves (and so on) when the model's context cannot hold it
        with the prompt and the output allowance."""
        limit = self.backend.context_tokens()
        if limit is None:
            return [text]
        if self._fits(self.messages(text, article)):
            return [text]
        if len(text) < 400:
            raise InputError(
                article.source,
                f"the prompt alone does not fit the model's context ({limit} tokens): "
                "use a model with a larger context",
            )
        half = split(text, len(text) // 2 + 1)
        return [part for chunk in half for part in self._fitting(chunk.text, article)]

    def response_model(self, part: AnalysedText) -> type[ExtractionDraft]:
        """The draft schema of one part: with its candidate names, dates and documents
        as the only values allowed when ``constrain`` is on."""
        from communique.extract.draft import draft_model

        summary = "summary" not in self.prompt.omit
        english = self.prompt.english_names and part.needs_english_forms
        if not self.constrain:
            return draft_model(summary=summary, english_names=english)
        return draft_model(
            part.candidate_names or None,
            part.candidate_dates,
            part.candidate_documents,
            summary=summary,
            english_names=english,
        )

    def read(self, article: AnalysedArticle, calls: CallLog) -> Reading:
        """The model's draft of the article: each part's conversation, merged."""
        parts = self.parts(article)
        if len(parts) == 1:
            messages = self.messages(parts[0].text, article)
            draft, passes = self._converse(messages, parts[0], article.published, calls)
            return Reading(draft, passes, messages)
        from communique.extract.chunks import merge

        drafts, passes = [], 0
        for part in parts:
            messages = self.messages(part.text, article)
            draft, part_passes = self._converse(messages, part, article.published, calls)
            drafts.append(draft)
            passes = max(passes, part_passes)
        return Reading(merge(drafts), passes, None)

    def _converse(
        self, messages: Messages, part: AnalysedText, published: dt.date | None, calls: CallLog
    ) -> tuple[ExtractionDraft, int]:
        """One part's conversation: its draft, and how many extraction passes it took."""
        from communique.extract.followup import english_roles, merge_drafts

        caller = self._caller()
        response_model = self.response_model(part)
        params = self.prompt.params
        draft = caller.call(response_model, messages, params, calls, part.folded)
        if calls.salvaged:
            return draft, 1
        conversation = [*messages, {"role": "assistant", "content": calls.outputs[-1]}]
        passes = 1
        if self.prompt.followup is not None and draft.events:
            passes = 2
            conversation.append({"role": "user", "content": self.prompt.followup})
            calls.next_turn()
            try:
                more = caller.call(response_model, conversation, params, calls, part.folded)
                draft = merge_drafts(draft, more)
                conversation.append({"role": "assistant", "content": calls.outputs[-1]})
            except CommuniqueError as exc:
                logger.warning("the follow-up pass failed, keeping the first answer: %s", exc)
                conversation = conversation[:-1]
        if self.prompt.recall is not None and draft.events:
            turns = (caller, response_model, conversation)
            draft, asked = self._recall(turns, draft, part, published, calls)
            passes += asked
        if self.prompt.english_roles:
            draft = english_roles(caller, draft, conversation, params, calls, part)
        return draft, passes

    def _recall(
        self,
        turns: tuple[ModelCaller, type[ExtractionDraft], Messages],
        draft: ExtractionDraft,
        part: AnalysedText,
        published: dt.date | None,
        calls: CallLog,
    ) -> tuple[ExtractionDraft, int]:
        """The draft with the events the recall turns found, and how many were asked.

        Each sentence that reports a meeting and names someone in no event of the draft
        so far is asked about in a turn of its own, branching from the conversation so
        far (the backend's cache of it is reused), at most ``recall_turns`` times.
        """
        from communique.extract.followup import merge_drafts
        from communique.text.coverage import cue_sentences, uncovered

        caller, response_model, conversation = turns  # the part's, as its first turn had
        asked = 0
        for sentence in cue_sentences(part.text, part.candidate_names, published):
            if asked >= self.prompt.recall_turns:
                break
            named = [n for e in draft.events for p in e.people for n in (p.name, p.en) if n]
            new = uncovered(sentence, named)
            if not new:
                continue
            question = self.prompt.render_recall(sentence.text, new)
            turn = [*conversation, {"role": "user", "content": question}]
            if not self._fits(turn):
                break
            asked += 1
            calls.next_turn()
            try:
                more = caller.call(response_model, turn, self.prompt.params, calls, part.folded)
            except CommuniqueError as exc:
                logger.warning("a recall turn failed, keeping the answer so far: %s", exc)
                continue
            draft = merge_drafts(draft, more)
        return draft, asked

    def _fits(self, messages: Messages) -> bool:
        """Whether ``messages`` and the output allowance fit in the model's context."""
        limit = self.backend.context_tokens()
        if limit is None:
            return True
        needed = sum(self.backend.count_tokens(m["content"]) + 8 for m in messages)
        return needed + int(self.prompt.params.get("max_tokens", 0)) <= limit

    def summaries_to_reask(self, reading: Reading, assembled: Assembled) -> bool:
        """Whether a summary the model wrote was replaced because it contradicted its
        event (asked again only when the whole text was read at once)."""
        if reading.messages is None or "summary" in self.prompt.omit or self.max_reasks == 0:
            return False
        return any(
            e.summary_origin == "composed"
            and e.origin == "model"
            and (index := assembled.draft_index(e)) is not None
            and reading.draft.events[index].summary
            for e in assembled.events
        )

    def reask_summaries(
        self, reading: Reading, assembled: Assembled, article: AnalysedArticle, calls: CallLog
    ) -> Reading:
        """Ask once more for each summary that contradicted its event's fields."""
        from communique.extract.followup import reask_summaries

        assert reading.messages is not None
        draft = reask_summaries(
            self._caller(),
            reading.draft,
            assembled,
            reading.messages,
            article.model,
            self.prompt.params,
            calls,
        )
        return Reading(draft, reading.passes, reading.messages)
