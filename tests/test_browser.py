"""What a reader sees: the HTML briefing and the eval report in headless Chromium.

Chromium is driven over the DevTools protocol (tests/cdp.py). The test skips only
when no Chromium is installed; CI installs Debian's package (.ci/run).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from brief_data import pair_records
from cdp import Browser, find_chromium
from communique.brief.build import write_briefing
from communique.evals.report import render_html

pytestmark = pytest.mark.skipif(
    find_chromium() is None,
    reason="Chromium is not installed (apt-get install -y chromium; .ci/run does it in CI)",
)


@pytest.fixture(scope="module")
def browser() -> Browser:
    with Browser(width=1280, height=900) as b:
        yield b


VISIBLE = """
(sel) => Array.from(document.querySelectorAll(sel)).filter((el) => {
  const r = el.getBoundingClientRect();
  return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true });
}).length
"""


def visible(browser: Browser, selector: str) -> int:
    return int(browser.evaluate(f"({VISIBLE})({selector!r})"))


def test_briefing_shows_entries_evidence_and_pictures(browser: Browser, tmp_path: Path) -> None:
    out = tmp_path / "brief.html"
    write_briefing(pair_records((["defence cooperation"], ["regional security"])), [out])
    browser.open(out)

    assert browser.evaluate("document.title") == "Briefing"
    assert visible(browser, "details.entry > summary") == 1
    assert "2 sources" in browser.evaluate("document.querySelector('details.entry').innerText")
    # Closed, the evidence is hidden; opened, the highlighted spans show in both texts.
    assert visible(browser, "mark[data-kind=person]") == 0
    browser.evaluate("document.querySelector('details.entry > summary').click()")
    marks = visible(browser, "mark[data-kind=person]")
    assert marks >= 4
    assert visible(browser, ".src") == 2
    colours = browser.evaluate(
        "Array.from(document.querySelectorAll('mark[data-kind=person]'))"
        ".map((m) => getComputedStyle(m).backgroundColor)"
    )
    assert all(c not in ("rgba(0, 0, 0, 0)", "transparent") for c in colours)
    texts = browser.evaluate(
        "Array.from(document.querySelectorAll('mark[data-kind=person]')).map((m) => m.textContent)"
    )
    assert {"Zakir Hasanov", "Celal Sami Tüfekçi", "Celal Sami Tufekci"} <= set(texts)

    # The timeline and the who-met-whom graph are drawn, with something in them.
    for picture in ("#timeline", "#graph"):
        box = browser.evaluate(
            f"(() => {{ const b = document.querySelector('{picture}').getBBox();"
            " return [b.width, b.height]; })()"
        )
        assert box[0] > 100 and box[1] > 20, picture
    assert visible(browser, "#timeline circle") >= 2
    assert visible(browser, "#graph circle") >= 3
    # three people, three pairs: a line each (a level line has no height, so count them)
    assert browser.evaluate("document.querySelectorAll('#graph line').length") == 3

    # The filter box hides what does not match.
    def shown_after(words: str) -> int:
        browser.evaluate(
            "(() => { const f = document.getElementById('filter');"
            f" f.value = {words!r}; f.dispatchEvent(new Event('input')); }})()"
        )
        return visible(browser, "details.entry")

    assert shown_after("Lavrov") == 0
    assert shown_after("tüfekçi baku") == 1

    shot = browser.screenshot(tmp_path / "brief.png", full_page=True)
    assert shot.stat().st_size > 20_000
    assert browser.problems() == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in browser.requests())


def test_eval_report_renders(browser: Browser, tmp_path: Path) -> None:
    from test_report import baseline

    result = baseline()
    out = tmp_path / "report.html"
    out.write_text(render_html(result), encoding="utf-8")
    browser.open(out)
    body = browser.evaluate("document.body.innerText")
    assert f"{result.headline:.3f}" in body
    assert visible(browser, "svg rect") >= len(result.overall)
    assert visible(browser, "details") == len(result.cases)
    assert visible(browser, "table.heat tbody tr") == len(result.cases)
    assert browser.problems() == []
    assert all(url.startswith(("file:", "data:", "about:")) for url in browser.requests())
