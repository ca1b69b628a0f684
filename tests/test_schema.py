"""The output contract: the committed JSON Schema and the validators behind it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from communique.cli import app
from communique.extract.draft import DraftPerson, ExtractionDraft, draft_model
from communique.schema import (
    SCHEMA_VERSION,
    ArticleInfo,
    ArticleRecord,
    ErrorInfo,
    Event,
    Participant,
    Span,
    record_json_schema,
)
from communique.text.alignment import FoldedText
from fake_openai import ARTICLE_BODY, draft, meeting_event, person

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "schemas" / "article_record.schema.json"
WRITE_HINT = "run `communique schema --write schemas/article_record.schema.json` and commit it"


def event(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "meeting",
        "happened": True,
        "date": "2023-12-05",
        "participants": [
            {"name": "Jeyhun Bayramov", "side": "host"},
            {"name": "Mustafa Şentop", "side": "visitor"},
        ],
        "summary": "Bayramov received Şentop in Baku.",
    }
    data.update(overrides)
    return data


def info() -> ArticleInfo:
    return ArticleInfo(id="0123456789abcdef", source="a.txt", chars=10)


# -- the committed schema ------------------------------------------------------------------


def test_committed_schema_matches_schema_py():
    if not SCHEMA_FILE.is_file():
        pytest.fail(f"{SCHEMA_FILE} does not exist: {WRITE_HINT}")
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == record_json_schema(), (
        f"{SCHEMA_FILE.name} is out of date with communique.schema: {WRITE_HINT} "
        "(and bump SCHEMA_VERSION if the change is not backwards compatible)"
    )


def test_schema_names_its_version():
    schema = record_json_schema()
    assert SCHEMA_VERSION in schema["$id"]
    assert schema["title"] == "communique ArticleRecord"
    assert schema["additionalProperties"] is False
    assert {"article"} <= set(schema["required"])


def test_cli_schema_write_and_print(tmp_path):
    runner = CliRunner()
    target = tmp_path / "schema.json"
    written = runner.invoke(app, ["schema", "--write", str(target)])
    assert written.exit_code == 0, written.output
    assert json.loads(target.read_text(encoding="utf-8")) == record_json_schema()
    if SCHEMA_FILE.is_file():  # byte for byte what `schema --write` produces
        assert target.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")
    printed = runner.invoke(app, ["schema"])
    assert printed.exit_code == 0
    assert json.loads(printed.stdout) == record_json_schema()


# -- participant names ------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "Minister Jeyhun Bayramov",
        "President Ilham Aliyev",
        "Mr. John Smith",
        "Dr Jane Doe",
        "Colonel General Zakir Hasanov",
        "Deputy Prime Minister Shahin Mustafayev",
        "Ambassador Wataru Kobayashi",
        "Jeyhun Bayramov, Minister",
        "H.E. Jeyhun Bayramov",
    ],
)
def test_title_inside_a_name_is_rejected(name):
    with pytest.raises(ValidationError) as info_:
        Participant(name=name, side="host")
    assert "title" in str(info_.value)
    assert "role" in str(info_.value)  # tells where the title belongs


@pytest.mark.parametrize(
    "name",
    ["Jeyhun Bayramov", "Mustafa Şentop", "John Major", "Sergey Lavrov", "Ursula von der Leyen"],
)
def test_bare_names_are_accepted(name):
    assert Participant(name=name, side="visitor").name == name


def test_name_whitespace_is_normalised_and_empty_rejected():
    assert Participant(name="  Jeyhun   Bayramov ", side="host").name == "Jeyhun Bayramov"
    with pytest.raises(ValidationError, match="empty"):
        Participant(name="   ", side="host")


def test_draft_person_rejects_titles_with_a_message_for_the_llm():
    with pytest.raises(ValidationError) as info_:
        DraftPerson(name="Minister Jeyhun Bayramov", role=None, org=None, side="host", lead=True)
    message = str(info_.value)
    assert "contains the title 'Minister'" in message
    assert "put titles and positions in role" in message


# -- events ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "pair",
    [
        ("Mustafa Şentop", "Mustafa Sentop"),
        ("Hakan Fidan", "Fidan Hakan"),
        ("Sergey Lavrov", "sergey  lavrov"),
    ],
)
def test_duplicate_participants_are_rejected(pair):
    participants = [{"name": pair[0], "side": "host"}, {"name": pair[1], "side": "visitor"}]
    with pytest.raises(ValidationError, match="twice"):
        Event.model_validate(event(participants=participants))


def test_different_people_are_not_duplicates():
    participants = [
        {"name": "Ilham Aliyev", "side": "host"},
        {"name": "Heydar Aliyev", "side": "host"},
    ]
    assert len(Event.model_validate(event(participants=participants)).participants) == 2


@pytest.mark.parametrize("summary", ["", "   ", "\n\t"])
def test_empty_summary_is_rejected(summary):
    with pytest.raises(ValidationError, match="summary"):
        Event.model_validate(event(summary=summary))


@pytest.mark.parametrize("bad", ["2023-13-01", "2023-02-30", "December 5", "05/12/2023", "2023"])
def test_malformed_date_is_rejected(bad):
    with pytest.raises(ValidationError):
        Event.model_validate(event(date=bad))


def test_iso_date_and_null_date_are_accepted():
    assert Event.model_validate(event(date="2023-12-05")).date == dt.date(2023, 12, 5)
    assert Event.model_validate(event(date=None)).date is None


def test_announcement_cannot_have_happened():
    with pytest.raises(ValidationError, match="announced"):
        Event.model_validate(event(kind="announcement", happened=True))
    ok = Event.model_validate(event(kind="announcement", happened=False))
    assert ok.happened is False


def test_unknown_kind_and_side_are_rejected():
    with pytest.raises(ValidationError):
        Event.model_validate(event(kind="party"))
    with pytest.raises(ValidationError):
        Participant(name="Jeyhun Bayramov", side="guest")


def test_extra_fields_are_rejected():
    with pytest.raises(ValidationError):
        Event.model_validate(event(mood="cheerful"))


def test_span_must_be_ordered_and_non_negative():
    assert Span(start=0, end=3, text="abc").end == 3
    with pytest.raises(ValidationError):
        Span(start=5, end=2, text="")
    with pytest.raises(ValidationError):
        Span(start=-1, end=2, text="ab")


# -- records ---------------------------------------------------------------------------------


def test_record_status_and_error_must_agree():
    with pytest.raises(ValidationError):
        ArticleRecord(status="error", article=info())
    with pytest.raises(ValidationError):
        ArticleRecord(status="ok", article=info(), error=ErrorInfo(kind="x", message="y"))
    ok = ArticleRecord(article=info(), events=[Event.model_validate(event())])
    assert ok.schema_version == SCHEMA_VERSION
    failed = ArticleRecord(
        status="error", article=info(), error=ErrorInfo(kind="input", message="m")
    )
    assert ArticleRecord.model_validate_json(failed.model_dump_json()) == failed


def test_article_info_chars_cannot_be_negative():
    with pytest.raises(ValidationError):
        ArticleInfo(id=None, source="a.txt", chars=-1)


# -- the draft the model fills in --------------------------------------------------------------


def test_draft_keeps_the_first_of_a_person_listed_twice_without_a_reask():
    twice = meeting_event(
        people=[person("Mustafa Şentop", side="visitor"), person("Mustafa Sentop")]
    )
    (event,) = ExtractionDraft.model_validate(draft(twice)).events
    assert [(p.name, p.side) for p in event.people] == [("Mustafa Şentop", "visitor")]


def test_draft_announcement_happened_message_addresses_the_llm():
    with pytest.raises(ValidationError, match="set happened to false"):
        ExtractionDraft.model_validate(draft(meeting_event(kind="announcement")))


def test_draft_name_must_occur_in_the_article_when_given_as_context():
    doc = FoldedText(ARTICLE_BODY)
    ok = ExtractionDraft.model_validate(draft(), context={"article": doc})
    assert ok.events[0].people[0].name == "Mustafa Sentop"  # grounded case-insensitively
    invented = meeting_event(people=[person("Vladimir Putin")])
    with pytest.raises(ValidationError, match="does not occur in the article"):
        ExtractionDraft.model_validate(draft(invented), context={"article": doc})
    # without the article the name is not checked
    assert ExtractionDraft.model_validate(draft(invented))


def test_constrained_draft_restricts_names_and_dates():
    model = draft_model(("Jeyhun Bayramov", "Mustafa Şentop"), ("December 5",))
    schema = json.dumps(model.model_json_schema(), ensure_ascii=False)
    assert '"Jeyhun Bayramov"' in schema and '"December 5"' in schema
    good = meeting_event(
        people=[person("Jeyhun Bayramov"), person("Mustafa Şentop", side="visitor")],
        signed=[],
    )
    assert model.model_validate(draft(good))
    with pytest.raises(ValidationError):
        model.model_validate(draft(meeting_event(people=[person("Zakir Hasanov")])))
    with pytest.raises(ValidationError):
        model.model_validate(draft(dict(good, date="December 6")))
    # no candidate dates: the date must be null
    no_dates = draft_model(("Jeyhun Bayramov",), ())
    assert no_dates.model_validate(draft(dict(good, people=[person("Jeyhun Bayramov")], date=None)))
    with pytest.raises(ValidationError):
        no_dates.model_validate(draft(dict(good, people=[person("Jeyhun Bayramov")])))
    assert draft_model(None, None) is ExtractionDraft
