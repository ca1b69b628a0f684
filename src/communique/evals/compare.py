"""Compare two eval runs (A = baseline, B = candidate): metric deltas and changed cases."""

from __future__ import annotations

from pydantic import BaseModel, Field
from rich.table import Table
from rich.text import Text

from communique.evals.metrics import METRICS
from communique.evals.report import BASE_CSS, LABELS, MACROS, make_env, score_text
from communique.evals.results import EvalResult

TOLERANCE = 1e-9


class MetricDelta(BaseModel):
    metric: str
    a: float | None
    b: float | None
    delta: float | None


class RunInfo(BaseModel):
    prompt: str
    model: str
    created: str
    n_cases: int
    seconds: float


class CaseChange(BaseModel):
    id: str
    tags: list[str] = Field(default_factory=list)
    status_a: str
    status_b: str
    headline: MetricDelta
    fields: list[MetricDelta] = Field(default_factory=list, description="Changed metrics only.")


class Comparison(BaseModel):
    a: RunInfo
    b: RunInfo
    headline: MetricDelta
    metrics: list[MetricDelta]
    changed_cases: list[CaseChange] = Field(description="Worst regression first.")
    unchanged_cases: int
    only_in_a: list[str] = Field(default_factory=list)
    only_in_b: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)


def _delta(metric: str, a: float | None, b: float | None) -> MetricDelta:
    return MetricDelta(metric=metric, a=a, b=b, delta=None if a is None or b is None else b - a)


def _changed(d: MetricDelta) -> bool:
    if d.a is None or d.b is None:
        return (d.a is None) != (d.b is None)
    return abs(d.b - d.a) > TOLERANCE


def _info(r: EvalResult) -> RunInfo:
    return RunInfo(
        prompt=r.prompt, model=r.model, created=r.created, n_cases=r.n_cases, seconds=r.seconds
    )


def compare_results(a: EvalResult, b: EvalResult) -> Comparison:
    """Per-metric deltas (b - a) and the cases whose status, headline or any metric changed."""
    cases_a = {c.id: c for c in a.cases}
    cases_b = {c.id: c for c in b.cases}
    changed: list[CaseChange] = []
    unchanged = 0
    for case_id, ca in cases_a.items():
        cb = cases_b.get(case_id)
        if cb is None:
            continue
        headline = _delta("headline", ca.headline, cb.headline)
        fields = [
            d
            for d in (
                _delta(m, ca.metrics[m], cb.metrics[m])
                for m in METRICS
                if m in ca.metrics and m in cb.metrics  # older results lack newer metrics
            )
            if _changed(d)
        ]
        if fields or _changed(headline) or ca.status != cb.status:
            changed.append(
                CaseChange(
                    id=case_id,
                    tags=cb.tags,
                    status_a=ca.status,
                    status_b=cb.status,
                    headline=headline,
                    fields=fields,
                )
            )
        else:
            unchanged += 1
    changed.sort(key=lambda c: (c.headline.delta or 0.0, c.id))
    warnings = []
    if a.scorer != b.scorer:
        warnings.append(f"scored by different scorer versions ({a.scorer} vs {b.scorer})")
    if a.weights != b.weights:
        warnings.append("headline weights differ; headlines are not comparable")
    return Comparison(
        a=_info(a),
        b=_info(b),
        headline=_delta("headline", a.headline, b.headline),
        metrics=[_delta(m, a.overall.get(m), b.overall.get(m)) for m in METRICS],
        changed_cases=changed,
        unchanged_cases=unchanged,
        only_in_a=sorted(cases_a.keys() - cases_b.keys()),
        only_in_b=sorted(cases_b.keys() - cases_a.keys()),
        warnings=warnings,
    )


def format_delta(delta: float | None, digits: int = 3) -> str:
    if delta is None:
        return "–"
    if abs(delta) <= TOLERANCE:
        return f"{0:.{digits}f}"
    return f"{delta:+.{digits}f}"


def _delta_text(delta: float | None) -> Text:
    style = "dim" if delta is None or abs(delta) <= TOLERANCE else "green" if delta > 0 else "red"
    return Text(format_delta(delta), style=style)


def _label(metric: str) -> str:
    return "headline" if metric == "headline" else LABELS.get(metric, metric)


def compare_table(cmp: Comparison) -> Table:
    table = Table(title=f"A {cmp.a.prompt} · {cmp.a.model}  →  B {cmp.b.prompt} · {cmp.b.model}")
    for header in ("metric", "A", "B", "Δ"):
        table.add_column(header, justify="left" if header == "metric" else "right")
    for d in [cmp.headline, *cmp.metrics]:
        table.add_row(_label(d.metric), score_text(d.a), score_text(d.b), _delta_text(d.delta))
        if d.metric == "headline":
            table.add_section()
    return table


def change_summary(change: CaseChange) -> str:
    """The changed fields of a case, short; a newly failing record is just that."""
    if change.status_b == "error" and change.status_a != "error":
        return "record failed (every metric 0)"
    fields = ", ".join(f"{_label(d.metric)} {format_delta(d.delta, 2)}" for d in change.fields)
    if change.status_a == "error" and change.status_b != "error":
        return f"record fixed: {fields}"
    return fields


def changed_cases_table(cmp: Comparison) -> Table:
    table = Table(title=f"{len(cmp.changed_cases)} changed, {cmp.unchanged_cases} unchanged")
    for header in ("case", "status", "headline A", "headline B", "Δ", "changed fields"):
        table.add_column(
            header, justify="right" if header.startswith(("headline", "Δ")) else "left"
        )
    for c in cmp.changed_cases:
        status = c.status_a if c.status_a == c.status_b else f"{c.status_a} → {c.status_b}"
        table.add_row(
            Text(c.id),
            status,
            score_text(c.headline.a),
            score_text(c.headline.b),
            _delta_text(c.headline.delta),
            Text(change_summary(c)),
        )
    return table


def _md_delta(delta: float | None) -> str:
    if delta is None or abs(delta) <= TOLERANCE:
        return format_delta(delta)
    return f"{format_delta(delta)} {'🟢' if delta > 0 else '🔴'}"


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|")


def compare_markdown(cmp: Comparison) -> str:
    """A short report for a pull-request comment (GitHub-flavoured Markdown)."""
    fmt = "–"
    h = cmp.headline
    lines = [
        f"### communique eval: `{cmp.a.prompt}` · `{cmp.a.model}` → "
        f"`{cmp.b.prompt}` · `{cmp.b.model}`",
        "",
        f"**Headline {h.a if h.a is None else f'{h.a:.3f}'} → "
        f"{h.b if h.b is None else f'{h.b:.3f}'}** ({_md_delta(h.delta)}), "
        f"{cmp.b.n_cases} cases, {len(cmp.changed_cases)} changed.",
        "",
        *[f"> ⚠️ {w}\n" for w in cmp.warnings],
        "| metric | A | B | Δ |",
        "|---|---:|---:|---:|",
    ]
    for d in cmp.metrics:
        a = fmt if d.a is None else f"{d.a:.3f}"
        b = fmt if d.b is None else f"{d.b:.3f}"
        lines.append(f"| {_label(d.metric)} | {a} | {b} | {_md_delta(d.delta)} |")
    if cmp.changed_cases:
        lines += [
            "",
            f"<details><summary>{len(cmp.changed_cases)} changed cases "
            "(worst regression first)</summary>",
            "",
            "| case | headline A | headline B | Δ | changed fields |",
            "|---|---:|---:|---:|---|",
        ]
        for c in cmp.changed_cases:
            a = fmt if c.headline.a is None else f"{c.headline.a:.3f}"
            b = fmt if c.headline.b is None else f"{c.headline.b:.3f}"
            status = "" if c.status_a == c.status_b else f" ({c.status_a} → {c.status_b})"
            lines.append(
                f"| `{_md_cell(c.id)}`{status} | {a} | {b} | {_md_delta(c.headline.delta)} "
                f"| {_md_cell(change_summary(c))} |"
            )
        lines += ["", "</details>"]
    for side, ids in (("A", cmp.only_in_a), ("B", cmp.only_in_b)):
        if ids:
            lines += ["", f"Only in {side}: " + ", ".join(f"`{_md_cell(i)}`" for i in ids)]
    return "\n".join(lines) + "\n"


def _delta_class(delta: float | None) -> str:
    if delta is None or abs(delta) <= TOLERANCE:
        return "muted"
    return "up" if delta > 0 else "down"


_ENV = make_env()
_ENV.filters["delta"] = format_delta
_ENV.filters["delta_class"] = _delta_class

_PAGE = _ENV.from_string(
    MACROS
    + """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>communique eval comparison</title>
<style>{{ css|safe }}
.a { fill: #9aa7b8; } .b { fill: #2f6fdf; }
.legend span { display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px;
  vertical-align: middle; }
</style>
</head>
<body>
<h1>communique eval comparison</h1>
<div class="meta">
  <b>A</b> <code>{{ c.a.prompt }}</code> · <code>{{ c.a.model }}</code> · {{ c.a.created }} ·
  {{ c.a.n_cases }} cases<br>
  <b>B</b> <code>{{ c.b.prompt }}</code> · <code>{{ c.b.model }}</code> · {{ c.b.created }} ·
  {{ c.b.n_cases }} cases
</div>
{% for w in c.warnings %}<p class="err">⚠ {{ w }}</p>{% endfor %}
<div class="headline">
  {{ c.headline.a|fmt }} → {{ c.headline.b|fmt }}
  <small class="{{ c.headline.delta|delta_class }}">{{ c.headline.delta|delta }}</small>
  <small>headline</small>
</div>

<h2>Metrics</h2>
<div class="legend"><span style="background:#9aa7b8"></span>A
  <span style="background:#2f6fdf"></span>B</div>
<svg width="760" height="{{ c.metrics|length * 34 + 8 }}" role="img" aria-label="metrics A vs B">
{% for d in c.metrics %}
  {% set y = loop.index0 * 34 + 4 %}
  <text x="200" y="{{ y + 20 }}" text-anchor="end">{{ labels[d.metric] }}</text>
  <rect x="210" y="{{ y + 2 }}" width="400" height="13" fill="#f0f0f0"/>
  <rect x="210" y="{{ y + 16 }}" width="400" height="13" fill="#f0f0f0"/>
  {% if d.a is not none %}
  <rect class="a" x="210" y="{{ y + 2 }}" width="{{ "%.1f"|format(400 * d.a) }}" height="13"/>
  {% endif %}
  {% if d.b is not none %}
  <rect class="b" x="210" y="{{ y + 16 }}" width="{{ "%.1f"|format(400 * d.b) }}" height="13"/>
  {% endif %}
  <text x="618" y="{{ y + 13 }}">{{ d.a|fmt }}</text>
  <text x="618" y="{{ y + 27 }}">{{ d.b|fmt }}</text>
  <text x="672" y="{{ y + 20 }}" style="fill:{{ '#137333' if d.delta and d.delta > 0
    else '#b00020' if d.delta and d.delta < 0 else '#777' }}">{{ d.delta|delta }}</text>
{% endfor %}
</svg>

<h2>Changed cases ({{ c.changed_cases|length }}; {{ c.unchanged_cases }} unchanged)</h2>
{% if c.changed_cases %}
<table>
<tr><th>case</th><th>status</th><th>headline A</th><th>headline B</th><th>Δ</th>
  <th>changed fields</th></tr>
{% for x in c.changed_cases %}
<tr>
  <td>{{ x.id }}</td>
  <td>{{ x.status_a }}{% if x.status_b != x.status_a %} → {{ x.status_b }}{% endif %}</td>
  {{ score_cell(x.headline.a, 3) }}{{ score_cell(x.headline.b, 3) }}
  <td class="num {{ x.headline.delta|delta_class }}">{{ x.headline.delta|delta }}</td>
  <td>
    {% if x.status_b == "error" and x.status_a != "error" %}
    <span class="down">record failed (every metric 0)</span>
    {% else %}
    {% if x.status_a == "error" %}<span class="up">record fixed:</span>{% endif %}
    {% for d in x.fields %}
    {{ labels[d.metric] }} <span class="{{ d.delta|delta_class }}">{{ d.delta|delta(2) }}</span>
    {%- if not loop.last %}, {% endif %}
    {% endfor %}
    {% endif %}
  </td>
</tr>
{% endfor %}
</table>
{% else %}
<p class="muted">No case changed.</p>
{% endif %}
{% if c.only_in_a %}<p>Only in A: {{ tokens(c.only_in_a) }}</p>{% endif %}
{% if c.only_in_b %}<p>Only in B: {{ tokens(c.only_in_b) }}</p>{% endif %}
</body>
</html>
"""
)


def render_compare_html(cmp: Comparison) -> str:
    """The comparison as one self-contained HTML page."""
    return _PAGE.render(c=cmp, css=BASE_CSS)
