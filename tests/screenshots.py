"""Screenshots of an HTML briefing for the README, taken in headless Chromium.

    .venv/bin/python tests/screenshots.py out/briefing.html docs/

writes ``briefing-overview.png`` (the top of the page: what changed, the timeline,
who met whom) and ``briefing-entry.png`` (the first entry reported by several
sources, opened on its source texts with the evidence highlighted).
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cdp import Browser

OPEN_MERGED = r"""
(() => {
  const entries = Array.from(document.querySelectorAll("details.entry"));
  const merged = entries.find((e) => /\d+ sources/.test(e.querySelector("summary").innerText))
    || entries[0];
  merged.open = true;
  merged.scrollIntoView();
  const r = merged.getBoundingClientRect();
  return [r.top + window.scrollY, r.height];
})()
"""


def main(page: Path, out_dir: Path) -> None:
    with Browser(width=1280, height=1000) as browser:
        browser.open(page)
        overview = browser.screenshot(out_dir / "briefing-overview.png")
        top, height = browser.evaluate(OPEN_MERGED)
        browser.call(
            "Emulation.setDeviceMetricsOverride",
            session=True,
            width=1280,
            height=int(min(height, 1400)) + 16,
            deviceScaleFactor=1,
            mobile=False,
        )
        browser.evaluate(f"window.scrollTo(0, {int(top) - 8})")
        entry = out_dir / "briefing-entry.png"
        data = browser.call("Page.captureScreenshot", session=True, format="png")["data"]
        entry.write_bytes(base64.b64decode(data))
        problems = browser.problems()
    print(f"wrote {overview} and {entry}")
    if problems:
        raise SystemExit(f"the page reported problems: {problems}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(Path(sys.argv[1]), Path(sys.argv[2]))
