"""The explorer's screenshot in docs/explore.md, made as a user would see it: `chainsim
explore sinos_valley` in the system's headless Chromium, the spillover rate of the Sinos
Valley raised to 0.2, the page taken once the rerun is drawn.

    .venv/bin/python -m benchmarks.docs_screenshot docs/explore.png
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.ui_timing import REDRAWN, WATCH, open_browser, start_server


def main(target: str) -> None:
    from playwright.sync_api import sync_playwright

    from tests.test_browser import control

    proc, url = start_server("sinos_valley")
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
            context = open_browser(pw, Path(tmp) / "profile")
            page = context.new_page()
            page.goto(url)
            page.wait_for_function("document.querySelector('#status') && document."
                                   "querySelector('#status').textContent.includes('SimPy')")
            page.wait_for_selector("#fig-network .main-svg", state="attached")
            page.evaluate(WATCH)
            old = page.text_content("#status")
            box = page.locator(control("clusters.sinos.spillover"))
            box.fill("0.2")
            box.press("Tab")
            page.evaluate(REDRAWN, old)
            time.sleep(3)  # the network's replay frames follow the first drawing
            page.mouse.move(5, 5)
            page.screenshot(path=target)
            print(page.text_content("#status"))
            context.close()
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/explore.png")
