"""A briefing as Markdown: entries in date order, then indexes by country pair and person."""

from __future__ import annotations

from communique.brief.model import Briefing, Entry

_ESCAPE = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|"})


def md(text: str) -> str:
    """Escape Markdown syntax in text from an article or a model."""
    return " ".join(text.split()).translate(_ESCAPE)


def entry_date(entry: Entry) -> str:
    if entry.date is None:
        return "undated"
    if entry.date_basis == "published":
        return f"{entry.date.isoformat()} (reported)"
    return entry.date.isoformat()


def render_markdown(briefing: Briefing) -> str:
    lines: list[str] = [f"# {md(briefing.title)}", ""]
    first, last = briefing.period
    sources = {aid for e in briefing.entries for aid in e.article_ids}
    period = f"{first} to {last}" if first and last else "no dates"
    lines.append(
        f"{_n(len(briefing.entries), 'entry', 'entries')} from "
        f"{_n(len(sources), 'article', 'articles')}, {period}."
        + (f" Selected: {md(briefing.scope)}." if briefing.scope else "")
    )
    merged = sum(len(e.article_ids) > 1 for e in briefing.entries)
    if merged:
        lines.append(f"{merged} entr{'y' if merged == 1 else 'ies'} reported by several sources.")
    lines.append("")
    if briefing.changes_note is not None:
        lines += ["## What changed", "", md(briefing.changes_note), ""]
        for entry in briefing.entries:
            if entry.change == "new":
                lines.append(f"- **new**: [{_title(entry)}](#{entry.id})")
            elif entry.change == "changed":
                fields = ", ".join(entry.changed_fields)
                lines.append(f"- **changed** ({fields}): [{_title(entry)}](#{entry.id})")
        for removed in briefing.removed:
            lines.append(f"- **removed**: {md(removed.label)} ({md(removed.source)})")
        lines.append("")
    lines += ["## Meetings by date", ""]
    for entry in briefing.entries:
        lines += _entry(briefing, entry)
    lines += ["## By country pair", ""]
    for group, entries in briefing.groups().items():
        links = ", ".join(f"[{entry_date(e)}](#{e.id})" for e in entries)
        lines.append(f"- **{md(group)}**: {links}")
    lines += ["", "## By person", ""]
    for pid, entries in briefing.by_person().items():
        person = briefing.people[pid]
        aka = f" (also: {', '.join(md(a) for a in person.aliases)})" if person.aliases else ""
        role = f", {md(person.roles[0])}" if person.roles else ""
        links = ", ".join(f"[{entry_date(e)}](#{e.id})" for e in entries)
        lines.append(f'- <a id="{pid}"></a>**{md(person.name)}**{role}{aka}: {links}')
    if briefing.failed:
        lines += ["", "## Articles that could not be summarised", ""]
        for record in briefing.failed:
            message = record.error.message if record.error else "unknown error"
            lines.append(f"- {md(record.article.source)}: {md(message)}")
    return "\n".join(lines).rstrip() + "\n"


def _n(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _title(entry: Entry) -> str:
    names = " and ".join(md(p.name) for p in entry.participants[:2]) or "unnamed"
    return f"{entry_date(entry)} · {md(entry.group)} · {entry.kind} · {names}"


def _entry(briefing: Briefing, entry: Entry) -> list[str]:
    mark = ""
    if entry.change == "new":
        mark = " · **new**"
    elif entry.change == "changed":
        mark = f" · **changed: {', '.join(entry.changed_fields)}**"
    lines = [f'<a id="{entry.id}"></a>', f"### {_title(entry)}{mark}", ""]
    if not entry.happened:
        lines.append("*Announced, not yet held.*")
    lines += [md(entry.summary), ""]
    if entry.location:
        lines.append(f"- **Where:** {md(entry.location)}")
    if entry.participants:
        lines.append("- **Participants:**")
        for p in entry.participants:
            affiliation = p.affiliation and md(p.affiliation) + (
                " (not named in the article)" if p.affiliation_unsourced else ""
            )
            role = ", ".join(x for x in (p.role and md(p.role), affiliation) if x)
            lead = " (head of delegation)" if p.head else ""
            lines.append(f"  - [{md(p.name)}](#{p.person_id}){' — ' + role if role else ''}{lead}")
    if entry.agreements:
        lines.append(f"- **Signed:** {'; '.join(md(a) for a in entry.agreements)}")
    if entry.topics:
        lines.append(f"- **Topics:** {', '.join(md(t) for t in entry.topics)}")
    for speaker, words, _ in entry.quotes[:3]:
        lines.append(f"- **{md(speaker)}:** “{md(words)}”")
    lines.append("- **Sources:**")
    for aid in entry.article_ids:
        article = briefing.articles[aid]
        label = md(article.label)
        lines.append(f"  - [{label}]({article.link})" if article.link else f"  - {label}")
    if entry.differences:
        lines.append("- **The sources differ on:**")
        for diff in entry.differences:
            said = "; ".join(
                f"{md(briefing.articles[aid].label)}: {md(value)}" for aid, value in diff.values
            )
            lines.append(f"  - {md(diff.field)}: {said}")
    lines.append("")
    return lines
