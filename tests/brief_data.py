"""Records for briefing tests, built over real texts with evidence spans found in them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from communique.inputs import Article, read_inputs
from communique.schema import (
    Agreement,
    ArticleInfo,
    ArticleRecord,
    Event,
    Location,
    Participant,
    Provenance,
)
from communique.text.alignment import align

REPO = Path(__file__).resolve().parents[1]
PAIR = (
    REPO / "samples" / "003_bb68c450438cbac4.txt",
    REPO / "samples" / "005_newsaz_hasanov_tufekci.txt",
)


def sample(path: Path) -> Article:
    (item,) = read_inputs([str(path)])
    assert isinstance(item, Article)
    return item


def person(
    text: str,
    name: str,
    role: str | None = None,
    affiliation: str | None = None,
    side: str = "host",
    head: bool = False,
) -> Participant:
    found = align(text, name, is_name=True)
    return Participant(
        name=name,
        role=role,
        affiliation=affiliation,
        side=side,  # type: ignore[arg-type]
        head_of_delegation=head,
        alignment=found.status,
        evidence=found.spans,
    )


def event(text: str, people: list[Participant], **fields: Any) -> Event:
    values: dict[str, Any] = {
        "kind": "meeting",
        "happened": True,
        "summary": "Officials met.",
        "participants": people,
    }
    signed = fields.pop("signed", [])
    values.update(fields)
    values["agreements"] = [
        Agreement(title=title, alignment=(a := align(text, title)).status, evidence=a.spans)
        for title in signed
    ]
    return Event(**values)


def record(
    text: str,
    events: list[Event],
    *,
    source: str = "in/a.txt",
    published: dt.date | None = None,
    language: str = "en",
    prompt: str = "meeting_summary@v5",
) -> ArticleRecord:
    from communique.inputs import content_id

    return ArticleRecord(
        article=ArticleInfo(
            id=content_id(text),
            source=source,
            published=published,
            language=language,
            chars=len(text),
        ),
        events=events,
        provenance=Provenance(
            prompt=prompt,
            prompt_sha256="0" * 64,
            model="test-model",
            backend="openai",
            schema_version="1.1.0",
        ),
    )


def pair_records(
    topics: tuple[list[str], list[str]] = (["military cooperation"], []),
) -> list[ArticleRecord]:
    """The bundled pair: Trend (003) and News.az (005) on the Hasanov–Tüfekçi meeting."""
    trend, newsaz = (sample(p) for p in PAIR)
    t, n = trend.text, newsaz.text
    first = record(
        t,
        [
            event(
                t,
                [
                    person(t, "Zakir Hasanov", "Minister of Defense", "Azerbaijan", "host", True),
                    person(
                        t,
                        "Celal Sami Tufekci",
                        "Deputy Minister of National Defense",
                        "Türkiye",
                        "visitor",
                        True,
                    ),
                    person(
                        t,
                        "Jahit Bagchi",
                        "Ambassador of Türkiye to Azerbaijan",
                        "Türkiye",
                        "visitor",
                    ),
                ],
                location=Location(city="Baku", country="Azerbaijan"),
                topics=topics[0],
                summary="Azerbaijan's defence minister met Türkiye's deputy defence minister.",
            )
        ],
        source=str(PAIR[0]),
        published=trend.published,
    )
    second = record(
        n,
        [
            event(
                n,
                [
                    person(n, "Zakir Hasanov", "Defense Minister", "Azerbaijan", "host", True),
                    person(
                        n,
                        "Celal Sami Tüfekçi",
                        "Deputy Minister of National Defense",
                        "Türkiye",
                        "visitor",
                        True,
                    ),
                    person(n, "Cahit Bağcı", "Ambassador to Azerbaijan", "Türkiye", "visitor"),
                ],
                location=Location(city="Baku", country="Azerbaijan"),
                topics=topics[1],
                summary="Hasanov received a Turkish delegation led by Tüfekçi in Baku.",
            )
        ],
        source=str(PAIR[1]),
        published=newsaz.published,
    )
    return [first, second]
