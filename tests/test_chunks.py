"""Long articles: overlapping chunks on sentence and paragraph boundaries, events merged
across chunks, evidence offsets into the whole article, and a hard limit."""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from communique.extract.backends import get_backend
from communique.extract.chunks import Chunk, load_draft, merge, split
from communique.extract.draft import ExtractionDraft
from communique.extract.pipeline import Summariser
from communique.extract.retry import RetryPolicy
from communique.inputs import Article
from fake_openai import ARTICLE_BODY, FakeOpenAI, Scripted, completion, draft, meeting_event, person

REPO = Path(__file__).resolve().parents[1]


def check_chunks(text: str, chunks: list[Chunk], max_chars: int) -> None:
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert 0 < len(chunk.text) <= max_chars
    for before, after in itertools.pairwise(chunks):
        assert before.start < after.start <= before.end  # in order, no gap


# -- splitting -------------------------------------------------------------------------------


def test_a_text_that_fits_is_one_chunk():
    assert split("Short text.", 100) == [Chunk(0, 11, "Short text.")]


def test_chunks_end_on_sentences_and_overlap():
    text = " ".join(f"Sentence number {i} is here." for i in range(200))
    chunks = split(text, 500, overlap=100)
    check_chunks(text, chunks, 500)
    assert len(chunks) > 10
    for before, after in itertools.pairwise(chunks):
        assert before.text.rstrip().endswith(".")  # a whole sentence
        assert after.start < before.end  # the next opens with the end of this one
        assert before.end - after.start <= 100


def test_chunks_prefer_to_end_at_a_paragraph():
    paragraph = " ".join(f"Line {i} of the paragraph." for i in range(8))  # about 200 chars
    text = "\n\n".join([paragraph] * 6)
    chunks = split(text, 500, overlap=0)
    check_chunks(text, chunks, 500)
    assert all(c.text.endswith("\n\n") or c.end == len(text) for c in chunks)


def test_a_sentence_longer_than_a_chunk_is_cut_between_words():
    text = "word " * 400  # 2,000 characters, no sentence end
    chunks = split(text, 300, overlap=0)
    check_chunks(text, chunks, 300)
    assert all(c.text.endswith(" ") for c in chunks)


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from("ab .!?\n\u00e9\u0416"), min_size=1, max_size=3000),
    max_chars=st.integers(min_value=1, max_value=700),
    overlap=st.integers(min_value=0, max_value=300),
)
def test_chunks_always_cover_the_text_in_order(text: str, max_chars: int, overlap: int):
    check_chunks(text, split(text, max_chars, overlap), max_chars)


# -- merging ---------------------------------------------------------------------------------


def test_an_event_told_across_two_chunks_is_merged():
    host = person("Jeyhun Bayramov", role="Foreign Minister", lead=True)
    guest = person("Mustafa Sentop", side="visitor", lead=True)
    other = person("Zakir Hasanov")
    first = ExtractionDraft.model_validate(draft(meeting_event(people=[host, guest])))
    second = ExtractionDraft.model_validate(
        draft(meeting_event(people=[guest, host, other], date=None, topics=["energy"]))
    )
    merged = merge([first, second])
    [event] = merged.events
    assert [p.name for p in event.people] == ["Jeyhun Bayramov", "Mustafa Sentop", "Zakir Hasanov"]
    assert event.date == "December 5"
    assert "energy" in event.topics


def test_views_sharing_two_people_are_one_event_and_one_person_is_not_enough():
    a, b, c, d = (person(n) for n in ("Ann Lee", "Bob Ray", "Cy Dunn", "Di Moss"))
    one = ExtractionDraft.model_validate(draft(meeting_event(people=[a, b, c])))
    two = ExtractionDraft.model_validate(draft(meeting_event(people=[b, c, d])))
    assert len(merge([one, two]).events) == 1
    three = ExtractionDraft.model_validate(draft(meeting_event(people=[c, d])))
    four = ExtractionDraft.model_validate(draft(meeting_event(people=[a, d])))
    assert len(merge([four, three]).events) == 2  # only Di Moss in common
    later = ExtractionDraft.model_validate(draft(meeting_event(people=[a, b], date="May 9")))
    assert len(merge([one, later]).events) == 2  # another day


def test_different_events_stay_apart_and_many_are_kept():
    events = [
        meeting_event(
            people=[person(f"Person{i} Name{i}"), person("Jeyhun Bayramov")], date=f"May {i}"
        )
        for i in range(1, 16)
    ]
    drafts = [ExtractionDraft.model_validate(draft(*events[i : i + 5])) for i in (0, 5, 10)]
    merged = merge(drafts)
    assert len(merged.events) == 15  # more than one answer may hold
    again = load_draft(json.loads(json.dumps(merged.model_dump(mode="json"))))
    assert again == merged


# -- a 40,000-word article ---------------------------------------------------------------------

SAMPLES = {
    "000_daaaa6ecabdf314d": ("meeting", "2023-12-05"),
    "002_f1a5cb159b39dd80": ("signing", "2023-04-27"),
    "004_cbaad0d94091b6a1": ("meeting", "2024-02-06"),
}


def _sample(name: str) -> tuple[str, list[str]]:
    text = (REPO / "evals" / "cases" / f"{name}.txt").read_text(encoding="utf-8")
    body = text.split(" ", 3)[3].strip() if text.startswith(" date") else text.strip()
    gold = json.loads((REPO / "evals" / "cases" / f"{name}.gold.json").read_text())
    names = [p["name"] for e in gold["events"] for p in e["participants"]]
    return body, names


def _filler(words: int, seed: int) -> str:
    """Neutral paragraphs (no names, no meetings) of about ``words`` words."""
    sentences = []
    count = 0
    i = seed
    while count < words:
        sentence = (
            f"The river level rose by {i % 97} centimetres over week {i % 52} and the "
            f"farmers of the valley checked the fields, the roads and the {i % 13} bridges."
        )
        sentences.append(sentence)
        count += len(sentence.split())
        i += 1
    return "\n\n".join(" ".join(sentences[j : j + 5]) for j in range(0, len(sentences), 5))


def long_article() -> tuple[str, dict[str, tuple[int, int, list[str]]]]:
    """About 40,000 words: filler with three real articles inside, where each one lies."""
    parts, placed = [], {}
    offset = 0
    for index, name in enumerate(SAMPLES):
        filler = _filler(12_500, seed=index * 1000) + "\n\n"
        parts.append(filler)
        offset += len(filler)
        body, names = _sample(name)
        placed[name] = (offset, offset + len(body), names)
        parts.append(body + "\n\n")
        offset += len(body) + 2
    parts.append(_filler(2_000, seed=9000))
    return "".join(parts), placed


def chunk_answers(placed: dict[str, tuple[int, int, list[str]]]) -> Any:
    """The model: for a chunk, one event per sample whose people it names."""

    def respond(body: dict[str, Any]) -> Scripted:
        chunk = body["messages"][1]["content"]
        events = []
        for name, (_, _, names) in placed.items():
            kind, date = SAMPLES[name]
            present = [n for n in names if n in chunk]
            if present:
                people = [
                    person(n, side="host" if i == 0 else "visitor", lead=True)
                    for i, n in enumerate(present)
                ]
                events.append(
                    meeting_event(
                        kind=kind,
                        date=date,
                        people=people,
                        signed=[],
                        city=None,
                        country=None,
                        summary=f"The meeting of {' and '.join(present)}.",
                    )
                )
        return completion({"events": events})

    return respond


def test_a_40000_word_article_gives_its_events_with_offsets_into_the_whole_text(
    fake_openai: FakeOpenAI,
):
    text, placed = long_article()
    assert 39_000 <= len(text.split()) <= 44_000
    fake_openai.responder = chunk_answers(placed)
    summariser = Summariser(
        get_backend("openai:fake-model"),
        retry=RetryPolicy(sleep=lambda s: None),
        max_chars=4_000,
    )
    record = summariser.summarise(Article(source="long.txt", text=text))

    assert record.status == "ok", record.error
    requests = [body["messages"][1]["content"] for body in fake_openai.requests]
    assert len(requests) == len(split(text, 4_000))  # one call per chunk
    assert all(len(r) <= 4_000 + 200 for r in requests)  # the chunk plus the template
    assert record.provenance is not None
    assert record.provenance.params["chunks"]["max_chars"] == 4_000

    model_events = [e for e in record.events if e.origin == "model"]
    assert len(model_events) == len(SAMPLES)  # each once, even when told across chunks
    for event, (name, (start, end, names)) in zip(model_events, placed.items(), strict=True):
        assert {p.name for p in event.participants} == set(names), name
        assert event.kind == SAMPLES[name][0]
        for participant in event.participants:
            assert participant.evidence, participant.name
            for span in participant.evidence:
                assert text[span.start : span.end] == span.text
            assert any(start <= s.start and s.end <= end for s in participant.evidence)


def test_a_sample_told_across_a_chunk_boundary_is_one_event(fake_openai: FakeOpenAI):
    body, names = _sample("000_daaaa6ecabdf314d")
    text = _filler(600, seed=1) + "\n\n" + body + "\n\n" + _filler(600, seed=2)
    fake_openai.responder = chunk_answers({"000_daaaa6ecabdf314d": (0, 0, names)})
    chunks = split(text, 3_000)
    straddling = [c for c in chunks if any(n in c.text for n in names)]
    assert len(straddling) >= 2 and not all(
        all(n in c.text for n in names) for c in straddling
    )  # the sample's people are spread over more than one chunk
    summariser = Summariser(get_backend("openai:fake-model"), max_chars=3_000)
    record = summariser.summarise(Article(source="t.txt", text=text))
    [event] = [e for e in record.events if e.origin == "model"]
    assert {p.name for p in event.participants} == set(names)


def test_an_article_above_the_hard_limit_is_an_error_record_and_never_sent(
    fake_openai: FakeOpenAI,
):
    summariser = Summariser(get_backend("openai:fake-model"), max_article_chars=10_000)
    record = summariser.summarise(Article(source="huge.txt", text="x " * 10_000))
    assert record.status == "error" and record.error is not None
    assert record.error.kind == "input"
    assert "20,000 characters" in record.error.message
    assert "--max-article-chars" in record.error.message
    assert fake_openai.request_count == 0


def test_the_default_hard_limit_is_far_below_a_6_mb_file(fake_openai: FakeOpenAI):
    summariser = Summariser(get_backend("openai:fake-model"))
    assert summariser.max_article_chars <= 1_000_000
    record = summariser.summarise(Article(source="big.txt", text="word. " * 1_000_000))
    assert record.status == "error" and fake_openai.request_count == 0


def test_short_articles_keep_their_cache_key(fake_openai: FakeOpenAI):
    """Chunk settings key only the articles they change (caches stay valid)."""
    article = Article(source="a.txt", text=ARTICLE_BODY)
    plain = Summariser(get_backend("openai:fake-model"))
    other = Summariser(get_backend("openai:fake-model"), max_chars=50_000)
    assert plain.key_for(article) == other.key_for(article)
    long = Article(source="b.txt", text=ARTICLE_BODY * 400)
    assert plain.key_for(long) != other.key_for(long)


def test_the_cli_reads_a_long_file_in_chunks_and_refuses_a_huge_one(
    fake_openai: FakeOpenAI, tmp_path: Path
):
    from typer.testing import CliRunner

    from communique.cli import app
    from communique.schema import ArticleRecord

    fake_openai.responder = lambda body: completion(draft())
    long = tmp_path / "long.txt"
    long.write_text((ARTICLE_BODY + "\n\n") * 30, encoding="utf-8")
    huge = tmp_path / "huge.txt"
    huge.write_text("word " * 50_000, encoding="utf-8")
    args = ["summarise", str(long), str(huge), "-m", "openai:fake-model", "--max-chars", "2000"]
    result = CliRunner().invoke(app, [*args, "--max-article-chars", "100000"])
    chunked, refused = (ArticleRecord.model_validate_json(x) for x in result.stdout.splitlines())
    assert chunked.status == "ok" and chunked.provenance is not None
    assert chunked.provenance.params["chunks"] == {"max_chars": 2000, "overlap": 200}
    assert fake_openai.request_count == len(split(long.read_text().strip(), 2000)) > 1
    assert refused.status == "error" and refused.error is not None
    assert "--max-article-chars" in refused.error.message
    assert result.exit_code == 1
