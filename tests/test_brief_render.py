"""Rendering briefings: Markdown and self-contained HTML, highlighted evidence, diffs, sidecars."""

from __future__ import annotations

import re
from pathlib import Path

from brief_data import PAIR, pair_records, sample
from communique.brief.build import write_briefing
from communique.brief.diff import diff_records
from communique.brief.highlight import Mark, segments
from communique.brief.regen import sidecar_path
from communique.brief.render_diff import render_diff_html
from communique.schema import Grounded, Span


def external_references(html: str) -> list[str]:
    """Anything the page would fetch: scripts, styles, images, fonts from elsewhere."""
    return re.findall(r'(?:src|href)="(?:https?:)?//|@import|url\(', html, re.I)


def test_nested_spans_show_both_and_draw_the_innermost() -> None:
    text = "He said: Zakir Hasanov agreed."
    quote = Mark(9, 29, "quote", "quote · Zakir Hasanov", "quote")
    name = Mark(9, 22, "person", "Zakir Hasanov", "p0")
    runs = segments(text, [quote, name])
    assert "".join(r.text for r in runs) == text
    inner = next(r for r in runs if r.text == "Zakir Hasanov")
    assert inner.top == name and set(inner.marks) == {quote, name}
    assert next(r for r in runs if r.text == " agreed").top == quote
    assert runs[0].marks == ()


def test_html_is_one_self_contained_page(tmp_path: Path) -> None:
    out = tmp_path / "b.html"
    write_briefing(pair_records(), [out])
    html = out.read_text()
    assert html.startswith("<!DOCTYPE html>")
    assert external_references(html) == []
    assert html.count('<details class="entry') == 1
    assert '<svg id="timeline"' in html and '<svg id="graph"' in html
    # Both sources linked, relative to the briefing's folder, and both texts shown.
    links = re.findall(r'<h4><a href="([^"]+)">', html)
    assert len(links) == 2
    assert all((tmp_path / link).resolve().is_file() for link in links)
    assert html.count('data-kind="person"') >= 4
    assert "also written: Cahit Bağcı" in html or "also written: Jahit Bagchi" in html


def test_markdown_escapes_what_models_write(tmp_path: Path) -> None:
    records = pair_records((["*bold* [link](x) <b>"], []))
    out = tmp_path / "b.md"
    write_briefing(records, [out])
    md = out.read_text()
    assert "\\*bold\\* \\[link\\](x) \\<b\\>" in md
    assert "## By country pair" in md and "- **Azerbaijan – Türkiye**" in md
    assert "## By person" in md


def test_regenerating_marks_changed_new_and_removed(tmp_path: Path) -> None:
    out = tmp_path / "b.md"
    first = pair_records((["a", "b"], ["c"]))
    write_briefing(first[:1], [out])
    assert sidecar_path(out).is_file()
    # The second outlet joins and the first one's topics change.
    written = write_briefing(pair_records((["a"], ["c"])), [out])
    (entry,) = written.briefing.entries
    assert entry.change == "changed"
    assert set(entry.changed_fields) == {"topics", "sources"}
    # A record whose event disappeared: listed as removed.
    emptied = pair_records((["a"], ["c"]))
    emptied[1] = emptied[1].model_copy(update={"events": []})
    written = write_briefing(emptied, [out])
    assert [r.source.rsplit("/", 1)[-1] for r in written.briefing.removed] == [
        "005_newsaz_hasanov_tufekci.txt"
    ]
    assert "1 event removed" in (written.briefing.changes_note or "")
    assert "**removed**" in out.read_text()


def test_diff_names_fields_and_html_shows_both_values() -> None:
    before = pair_records((["military cooperation", "regional security"], []))
    after = pair_records((["military cooperation"], []))
    diff = diff_records(before, after, "v5", "v6")
    assert [a.status for a in diff.articles] == ["changed", "same"]
    assert diff.articles[0].fields == ["topics"]
    (change,) = diff.articles[0].events[0].changes
    assert change.before == "military cooperation; regional security"
    assert change.after == "military cooperation"
    html = render_diff_html(diff)
    assert "<del>military cooperation; regional security</del>" in html
    assert external_references(html) == []


def test_an_affiliation_the_article_never_names_is_marked(tmp_path: Path) -> None:
    records = pair_records()
    out = tmp_path / "b.md"
    write_briefing(records, [out])  # pair_records gives no affiliation a source span
    assert "Azerbaijan (not named in the article)" in out.read_text()
    # Once one source grounds the affiliation, the entry no longer marks it.
    text = sample(PAIR[0]).text
    at = text.index("Azerbaijan")
    for event in records[0].events:
        for p in event.participants:
            if p.affiliation == "Azerbaijan":
                p.affiliation_source = Grounded(
                    text="Azerbaijan",
                    alignment="exact",
                    evidence=[Span(start=at, end=at + 10, text="Azerbaijan")],
                )
    write_briefing(records, [out])
    assert "Azerbaijan (not named in the article)" not in out.read_text()
    html_out = tmp_path / "b.html"
    write_briefing(pair_records(), [html_out])
    assert "(not named in the article)" in html_out.read_text()
