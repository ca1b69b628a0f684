"""Show an :class:`EvalResult`: rich tables for the terminal, one self-contained HTML page.

The HTML has no external resources (inline CSS and SVG only) so it can be
attached to a CI run or opened from disk anywhere.
"""

from __future__ import annotations

import jinja2
from rich.table import Table
from rich.text import Text

from communique.evals.fields import FIELDS
from communique.evals.metrics import METRICS, MICRO_METRICS
from communique.evals.results import EvalResult

LABELS: dict[str, str] = {
    "event_count_accuracy": "event count",
    "event_precision": "event precision",
    "event_recall": "event recall",
    "event_f1": "event F1",
    "kind_accuracy": "kind",
    "happened_accuracy": "happened",
    "date_accuracy": "date",
    "location_accuracy": "location",
    "city_accuracy": "city",
    "participant_precision": "participant precision",
    "participant_recall": "participant recall",
    "participant_f1": "participant F1",
    "role_accuracy": "role",
    "role_english": "role in English",
    "affiliation_accuracy": "affiliation",
    "side_accuracy": "side",
    "sides_f1": "sides F1",
    "agreements_f1": "agreements F1",
    "topics_soft": "topics (soft F1)",
    "summary_faithfulness": "summary faithful",
    "summary_english": "summary in English",
    "summary_short": "summary ≤ 35 words",
    "schema_validity": "schema valid",
    **{
        f"{field}_{kind}": f"{field} {kind}" for field in FIELDS for kind in ("precision", "recall")
    },
}

# Per-case heatmap columns: (metric, short header).
CASE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_f1", "events"),
    ("event_count_accuracy", "count"),
    ("kind_accuracy", "kind"),
    ("happened_accuracy", "happened"),
    ("date_accuracy", "date"),
    ("location_accuracy", "location"),
    ("city_accuracy", "city"),
    ("participant_f1", "people"),
    ("role_accuracy", "role"),
    ("affiliation_accuracy", "affil."),
    ("side_accuracy", "side"),
    ("sides_f1", "sides"),
    ("agreements_f1", "agreem."),
    ("topics_soft", "topics"),
    ("summary_faithfulness", "summary"),
)


def fmt(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def heat(value: float | None) -> str:
    """Background colour for a score: red (0) through amber to green (1); grey for n/a."""
    if value is None:
        return "#eeeeee"
    return f"hsl({round(120 * max(0.0, min(1.0, value)))}, 65%, 80%)"


def bar_colour(value: float | None) -> str:
    if value is None:
        return "#bbbbbb"
    return f"hsl({round(120 * max(0.0, min(1.0, value)))}, 55%, 48%)"


def _style(value: float | None) -> str:
    if value is None:
        return "dim"
    return "green" if value >= 0.8 else "yellow" if value >= 0.5 else "red"


def score_text(value: float | None, digits: int = 3) -> Text:
    return Text(fmt(value, digits), style=_style(value))


def results_table(result: EvalResult) -> Table:
    """Overall metrics, headline first."""
    table = Table(title=f"{result.prompt} · {result.model} · {result.n_cases} cases")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("", no_wrap=True)
    table.add_column("weight", justify="right")
    table.add_column("averaging")
    table.add_row(
        Text("headline", style="bold"), score_text(result.headline), _bar(result.headline), "", ""
    )
    table.add_section()
    for name in METRICS:
        value = result.overall.get(name)
        weight = result.weights.get(name)
        table.add_row(
            LABELS.get(name, name),
            score_text(value),
            _bar(value),
            f"{weight:g}" if weight else "",
            "micro" if name in MICRO_METRICS else "macro",
        )
    return table


#: metrics shown side by side for each part of the eval set
PART_METRICS = (
    "participant_f1",
    "event_recall",
    "event_precision",
    "kind_accuracy",
    "date_accuracy",
    "affiliation_accuracy",
    "city_accuracy",
    "role_english",
    "summary_faithfulness",
)


def parts_table(result: EvalResult) -> Table:
    """One row per part of the eval set (real: tuned, audited, audited-fresh, audited-third,
    set-aside; synthetic)."""
    covered = ", ".join(result.headline_parts) or "all"
    table = Table(title=f"by part (the headline covers: {covered})")
    table.add_column("part")
    table.add_column("cases", justify="right")
    table.add_column("headline", justify="right")
    for name in PART_METRICS:
        table.add_column(LABELS.get(name, name), justify="right")
    for name, part in result.parts.items():
        table.add_row(
            name,
            str(part.n_cases),
            score_text(part.headline),
            *(score_text(part.overall.get(m)) for m in PART_METRICS),
        )
    return table


def fields_table(result: EvalResult) -> Table:
    """Precision and recall of each field, one row per part (and the headline's)."""
    table = Table(title="each field: precision / recall (a value left out lowers recall)")
    table.add_column("part")
    for name in FIELDS:
        table.add_column(name, justify="right")
    rows = [(name, part.overall) for name, part in result.parts.items()]
    if len(rows) > 1:
        rows.append(("headline parts", result.overall))
    for name, overall in rows:
        table.add_row(
            name,
            *(
                f"{fmt(overall.get(f'{field}_precision'), 2)} / "
                f"{fmt(overall.get(f'{field}_recall'), 2)}"
                for field in FIELDS
            ),
        )
    return table


def _bar(value: float | None, width: int = 20) -> Text:
    if value is None:
        return Text("")
    return Text("█" * round(value * width), style=_style(value))


def cases_table(result: EvalResult) -> Table:
    """One row per case."""
    table = Table(title="cases")
    for header in ("case", "tags", "status", "headline", "participant F1", "event F1"):
        table.add_column(
            header, justify="right" if "F1" in header or header == "headline" else "left"
        )
    table.add_column("date", justify="right")
    table.add_column("kind", justify="right")
    for case in result.cases:
        m = case.metrics
        table.add_row(
            Text(case.id),
            Text(", ".join(case.tags)),
            Text(case.status, style="green" if case.status == "ok" else "bold red"),
            score_text(case.headline),
            score_text(m.get("participant_f1"), 2),
            score_text(m.get("event_f1"), 2),
            score_text(m.get("date_accuracy"), 2),
            score_text(m.get("kind_accuracy"), 2),
        )
    return table


BASE_CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto;
  max-width: 1200px; padding: 0 16px; color: #1d1d1f; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #555; } .meta code { background: #f2f2f2; padding: 1px 4px; border-radius: 3px; }
.headline { font-size: 44px; font-weight: 700; margin: 8px 0; }
.headline small { font-size: 14px; font-weight: 400; color: #555; }
table { border-collapse: collapse; font-size: 13px; }
th, td { border: 1px solid #ddd; padding: 3px 7px; text-align: left; vertical-align: top; }
th { background: #f6f6f6; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.heat td.num { min-width: 44px; }
.err { color: #b00020; font-weight: 600; }
details { border: 1px solid #ddd; border-radius: 6px; padding: 6px 10px; margin: 6px 0; }
details summary { cursor: pointer; font-weight: 600; }
.ok { color: #137333; } .bad { color: #b00020; }
.tok { background: #fde2e1; border-radius: 3px; padding: 0 3px; margin-right: 4px; }
.muted { color: #777; } .up { color: #137333; font-weight: 600; }
.down { color: #b00020; font-weight: 600; }
svg text { font: 12px system-ui, sans-serif; fill: #1d1d1f; }
ul { margin: 4px 0; padding-left: 20px; }
"""


def make_env() -> jinja2.Environment:
    """A Jinja environment with autoescaping and the score filters the pages use."""
    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["fmt"] = fmt
    env.filters["heat"] = heat
    env.filters["bar_colour"] = bar_colour
    env.globals["labels"] = LABELS
    return env


# Shared by the compare page: a list of names as tokens, a ✓/✗ cell for a FieldCheck.
MACROS = """{% macro tokens(items) %}
  {% for n in items %}<span class="tok">{{ n }}</span>{% else %}<span class="muted">none</span>
  {% endfor %}
{% endmacro %}
{% macro check(f) %}
  {% if f.ok %}
    <td class="ok">✓ {{ f.gold or "–" }}</td>
  {% else %}
    <td class="bad">
      ✗ {{ f.predicted or "–" }} <span class="muted">gold {{ f.gold or "–" }}</span>
    </td>
  {% endif %}
{% endmacro %}
{% macro score_cell(v, digits=2) %}
  <td class="num" style="background:{{ v|heat }}">{{ v|fmt(digits) }}</td>
{% endmacro %}
"""

_PAGE = make_env().from_string(
    MACROS
    + """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>communique eval · {{ r.prompt }} · {{ r.model }}</title>
<style>{{ css|safe }}</style>
</head>
<body>
<h1>communique eval</h1>
<div class="meta">
  prompt <code>{{ r.prompt }}</code> · model <code>{{ r.model }}</code> · {{ r.created }} ·
  {{ r.n_cases }} cases · {{ "%.1f"|format(r.seconds) }} s · {{ r.cached }} cached ·
  scorer v{{ r.scorer }}
</div>
<div class="headline">{{ r.headline|fmt }} <small>headline (weighted mean{% if r.headline_parts %}
  over {{ r.headline_parts|join(" + ") }} cases{% endif %})</small></div>

{% if r.parts|length > 1 %}
<h2>By part</h2>
<table class="heat">
<thead><tr><th>part</th><th>cases</th><th>headline</th>
  {% for name in part_metrics %}<th>{{ labels[name] }}</th>{% endfor %}</tr></thead>
<tbody>
{% for name, part in r.parts.items() %}
<tr><td>{{ name }}</td><td class="num">{{ part.n_cases }}</td>
  <td class="num" style="background:{{ part.headline|heat }}"><b>{{ part.headline|fmt }}</b></td>
  {% for m in part_metrics %}{% set v = part.overall.get(m) %}
  <td class="num" style="background:{{ v|heat }}">{{ v|fmt }}</td>{% endfor %}</tr>
{% endfor %}
</tbody></table>
<p class="muted">Synthetic cases test one behaviour each and are scored apart from the
headline; set-aside cases are real articles no prompt or rule was tuned on.</p>
{% endif %}

<h2>Overall metrics</h2>
<svg width="720" height="{{ metrics|length * 22 + 8 }}" role="img" aria-label="overall metrics">
{% for name in metrics %}
  {% set v = r.overall.get(name) %}
  {% set y = loop.index0 * 22 + 4 %}
  <text x="200" y="{{ y + 14 }}" text-anchor="end">
    {{- labels[name] }}{% if name in r.weights %} (×{{ "%g"|format(r.weights[name]) }}){% endif -%}
  </text>
  <rect x="210" y="{{ y + 2 }}" width="420" height="16" fill="#f0f0f0"/>
  {% if v is not none %}
  <rect x="210" y="{{ y + 2 }}" width="{{ "%.1f"|format(420 * v) }}" height="16"
        fill="{{ v|bar_colour }}"/>
  {% endif %}
  <text x="638" y="{{ y + 14 }}">{{ v|fmt }}</text>
{% endfor %}
</svg>
<p class="muted">Bracketed weights make up the headline; definitions in evals/METRICS.md.</p>

<h2>Per article</h2>
<table class="heat">
<thead><tr>
  <th>case</th><th>tags</th><th>headline</th>
  {% for name, head in columns %}<th title="{{ labels[name] }}">{{ head }}</th>{% endfor %}
</tr></thead>
<tbody>
{% for c in r.cases %}
<tr>
  <td>
    <a href="#case-{{ c.id }}">{{ c.id }}</a>
    {% if c.status != "ok" %}<span class="err">error</span>{% endif %}
  </td>
  <td>{{ c.tags|join(", ") }}</td>
  <td class="num" style="background:{{ c.headline|heat }}"><b>{{ c.headline|fmt }}</b></td>
  {% for name, head in columns %}{{ score_cell(c.metrics.get(name)) }}{% endfor %}
</tr>
{% endfor %}
</tbody>
</table>

<h2>Details</h2>
{% for c in r.cases %}
<details id="case-{{ c.id }}">
<summary>
  {{ c.id }} · {{ c.headline|fmt }}
  {% if c.title %} · <span class="muted">{{ c.title }}</span>{% endif %}
</summary>
{% if c.error %}<p class="err">{{ c.error }}</p>{% endif %}
<p>
  events: {{ c.counts.matched_events }} matched of {{ c.counts.gold_events }} gold,
  {{ c.counts.predicted_events }} predicted · participants:
  {{ c.counts.matched_participants }} matched of {{ c.counts.gold_participants }} gold,
  {{ c.counts.predicted_participants }} predicted
</p>
{% if c.events %}
<table>
<tr>
  <th>gold</th><th>pred</th><th>sim</th><th>kind</th><th>happened</th><th>date</th>
  <th>location</th><th>sides</th><th>agreements</th><th>topics</th>
</tr>
{% for e in c.events %}
<tr>
  <td>#{{ e.gold_index }}</td><td>#{{ e.predicted_index }}</td>
  <td class="num">{{ e.similarity|fmt(2) }}</td>
  {% for f in [e.kind, e.happened, e.date, e.location] %}{{ check(f) }}{% endfor %}
  {% for v in [e.sides_f1, e.agreements_f1, e.topics_soft] %}{{ score_cell(v) }}{% endfor %}
</tr>
{% endfor %}
</table>
{% endif %}
<ul>
  {% if c.unmatched_gold_events %}
  <li class="bad">unmatched gold events:
    {% for i in c.unmatched_gold_events %}#{{ i }} {% endfor %}</li>
  {% endif %}
  {% if c.unmatched_predicted_events %}
  <li class="bad">unmatched predicted events:
    {% for i in c.unmatched_predicted_events %}#{{ i }} {% endfor %}</li>
  {% endif %}
  <li>missed participants: {{ tokens(c.missed_participants) }}</li>
  <li>extra participants: {{ tokens(c.extra_participants) }}</li>
  {% for e in c.events %}
  {% for p in e.participants if not (p.role.ok and p.affiliation.ok and p.side.ok) %}
  <li>{{ p.gold }}{% if p.predicted != p.gold %} (as “{{ p.predicted }}”){% endif %}:
    {% for label, f in [("role", p.role), ("affiliation", p.affiliation), ("side", p.side)] %}
    {% if not f.ok %}
    {{ label }} <span class="bad">{{ f.predicted or "–" }}</span>
    <span class="muted">gold {{ f.gold or "–" }}</span>;
    {% endif %}
    {% endfor %}
  </li>
  {% endfor %}
  {% endfor %}
  {% for s in c.summaries %}
  <li>summary #{{ s.predicted_index }}:
    {% if s.unfaithful %}<span class="bad">unfaithful</span> {{ tokens(s.unfaithful) }}
    {% else %}<span class="ok">faithful</span>{% endif %}
    <div class="muted">{{ s.summary }}</div>
  </li>
  {% endfor %}
</ul>
</details>
{% endfor %}
</body>
</html>
"""
)


def render_html(result: EvalResult) -> str:
    """The whole report as one self-contained HTML page."""
    return _PAGE.render(
        r=result, css=BASE_CSS, metrics=METRICS, columns=CASE_COLUMNS, part_metrics=PART_METRICS
    )
