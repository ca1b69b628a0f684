"""A records diff in the terminal (rich) and as one self-contained HTML page."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text

from communique.brief.diff import RecordsDiff
from communique.brief.render_html import environment

_STYLE = {
    "same": "dim",
    "changed": "yellow",
    "added": "green",
    "removed": "red",
    "failed": "bold red",
}


def diff_tables(diff: RecordsDiff, details: bool = True) -> Group:
    """One row per article with the fields that moved; then each change, before and after."""
    summary = Table(
        title=f"{diff.before_label}  →  {diff.after_label}: "
        f"{len(diff.changed)} of {len(diff.articles)} articles changed"
    )
    summary.add_column("article")
    summary.add_column("status")
    summary.add_column("events", justify="right")
    summary.add_column("fields that changed")
    for article in diff.articles:
        summary.add_row(
            Text(article.source),
            Text(article.status, style=_STYLE[article.status]),
            str(sum(e.after is not None for e in article.events)),
            Text(", ".join(article.fields) or article.note or "–"),
        )
    parts: list[Table] = [summary]
    if details and diff.changed:
        table = Table(title="changes", show_lines=True)
        for header in ("article", "event", "field", diff.before_label, diff.after_label):
            table.add_column(header, overflow="fold")
        for article in diff.changed:
            for event in article.events:
                if event.status == "same":
                    continue
                if event.status in ("added", "removed"):
                    before = event.label if event.status == "removed" else "–"
                    after = event.label if event.status == "added" else "–"
                    table.add_row(
                        article.source,
                        Text(event.status, style=_STYLE[event.status]),
                        "event",
                        before,
                        after,
                    )
                    continue
                for change in event.changes:
                    table.add_row(
                        article.source, event.label, change.field, change.before, change.after
                    )
            if article.status == "failed":
                table.add_row(
                    article.source, Text("failed", style="bold red"), "", article.note, ""
                )
        parts.append(table)
    counts = diff.field_counts()
    if counts:
        fields = Table(title="fields that moved (articles)")
        fields.add_column("field")
        fields.add_column("articles", justify="right")
        for name, n in counts.items():
            fields.add_row(name, str(n))
        parts.append(fields)
    return Group(*parts)


def render_diff_html(diff: RecordsDiff) -> str:
    return environment().get_template("diff.html.j2").render(d=diff, counts=diff.field_counts())
