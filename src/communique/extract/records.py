"""The record stage: what the pipeline hands back for an article, made from its parts.

An ok record (events, provenance), an error record that names the source and keeps
the reason (and the model's last output, when there was one), and ``--strict``'s
removal of values without evidence.
"""

from __future__ import annotations

from communique.errors import CommuniqueError, FetchError, InputError
from communique.inputs import Article, InputProblem
from communique.schema import ArticleInfo, ArticleRecord, ErrorInfo, Provenance


def article_info(article: Article, language: str | None) -> ArticleInfo:
    """What a record says of its article."""
    return ArticleInfo(
        id=article.id,
        source=article.source,
        external_id=article.external_id,
        published=article.published,
        title=article.title,
        feed=article.feed,
        encoding=article.encoding,
        language=language,
        chars=len(article.text),
    )


def error_record(
    info: ArticleInfo, exc: CommuniqueError, provenance: Provenance | None = None
) -> ArticleRecord:
    message = exc.problem if isinstance(exc, InputError) else str(exc)
    return ArticleRecord(
        status="error",
        article=info,
        provenance=provenance,
        error=ErrorInfo(
            kind=exc.kind,
            message=message,
            last_output=getattr(exc, "last_output", None),
        ),
    )


def input_problem_record(item: InputProblem) -> ArticleRecord:
    """The error record of an input that could not be read or fetched."""
    problem_class = FetchError if item.kind == "fetch" else InputError
    return error_record(
        ArticleInfo(id=None, source=item.source, chars=0), problem_class(item.source, item.problem)
    )


def drop_ungrounded(record: ArticleRecord) -> ArticleRecord:
    """``--strict``: remove values without evidence, and count them.

    Participants and agreements no span supports go, and so does an affiliation no
    mention in the article supports (one the model knew, not the text).
    """
    if record.status != "ok" or record.provenance is None:
        return record
    from communique.extract.passes.completion import sides_of

    dropped = 0
    events = []
    for event in record.events:
        people = []
        for person in event.participants:
            if person.alignment == "ungrounded":
                dropped += 1
            elif person.affiliation is not None and person.affiliation_source is None:
                dropped += 1
                people.append(person.model_copy(update={"affiliation": None}))
            else:
                people.append(person)
        agreements = [a for a in event.agreements if a.alignment != "ungrounded"]
        dropped += len(event.agreements) - len(agreements)
        events.append(
            event.model_copy(
                update={"participants": people, "agreements": agreements, "sides": sides_of(people)}
            )
        )
    provenance = record.provenance.model_copy(update={"dropped_ungrounded": dropped})
    return record.model_copy(update={"events": events, "provenance": provenance})
