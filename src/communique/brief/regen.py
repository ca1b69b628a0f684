"""Regenerating a briefing over an earlier one, and marking what changed.

Next to every briefing its records are kept in a sidecar file
(``briefing.md`` -> ``briefing.records.jsonl``, shared by the .md and .html of one
name). When a briefing is written where one was before, the new records are
compared with the sidecar's (:mod:`communique.brief.diff`): an entry all of whose
events are new is marked *new*, one with an event that changed or joined it is
*changed* (with the fields that moved), and events that are gone are listed as
*removed*. Then the sidecar is replaced.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from communique.brief.diff import RecordsDiff, diff_records
from communique.brief.model import Briefing, RemovedEvent
from communique.brief.sources import read_records
from communique.schema import ArticleRecord


def sidecar_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}.records.jsonl")


def load_sidecar(path: Path) -> list[ArticleRecord] | None:
    if not path.is_file():
        return None
    return list(read_records(path))


def write_sidecar(path: Path, records: Sequence[ArticleRecord]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(record.model_dump_json() + "\n")
    tmp.replace(path)


def prompts_of(records: Sequence[ArticleRecord]) -> str:
    """The prompt and model the records were made with ("meeting_summary@v5 on local")."""
    seen: list[str] = []
    for record in records:
        if record.provenance is not None:
            label = f"{record.provenance.prompt} on {record.provenance.model}"
            if label not in seen:
                seen.append(label)
    return ", ".join(seen) or "unknown prompt"


def mark_changes(
    briefing: Briefing,
    previous: Sequence[ArticleRecord],
    current: Sequence[ArticleRecord],
    previous_label: str,
) -> RecordsDiff:
    """Mark the briefing's entries new/changed, list removed events, write the note."""
    diff = diff_records(previous, current, prompts_of(previous), prompts_of(current))
    status: dict[tuple[str, int], tuple[str, list[str]]] = {}
    for article in diff.articles:
        for event in article.events:
            if event.after is not None:
                status[(article.article_id, event.after)] = (event.status, event.fields)
            elif event.status == "removed":
                briefing.removed.append(
                    RemovedEvent(article.article_id, article.source, event.label)
                )
    new = changed = 0
    for entry in briefing.entries:
        states = [status.get((ref.article_id, ref.index), ("same", [])) for ref in entry.refs]
        if all(state == "added" for state, _ in states):
            entry.change = "new"
            new += 1
            continue
        fields: list[str] = []
        for state, moved in states:
            if state == "added":
                moved = ["sources"]
            for name in moved:
                if name not in fields:
                    fields.append(name)
        if fields:
            entry.change = "changed"
            entry.changed_fields = fields
            changed += 1
    counts = ", ".join(f"{name} ({n})" for name, n in diff.field_counts().items())
    briefing.changes_note = (
        f"Compared with the records of the previous briefing ({previous_label}; "
        f"{diff.before_label} → {diff.after_label}): {changed} entr"
        f"{'y' if changed == 1 else 'ies'} changed, {new} new, {len(briefing.removed)} "
        f"event{'' if len(briefing.removed) == 1 else 's'} removed."
        + (f" Fields that moved, by number of articles: {counts}." if counts else "")
    )
    return diff
