"""The report and the explorer in a real browser: headless Chromium (the distribution's
package), driven by Playwright pointed at it; no tool downloads a browser.

Each test loads the page, moves a slider, waits for the page to redraw, checks that the
figures and the network changed, that no request left the machine (every request is
routed through a check that aborts and records any other address), and that scenario
text with HTML and script in it runs nothing. Screenshots are kept under each test's
temporary directory. Without Chromium or Playwright the tests are skipped, saying how to
install them. Horizons are short (three years) to keep the suite fast.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

from chainsim.report import build_report

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOW = ("install the distribution's Chromium (Debian/Ubuntu: apt-get install -y chromium; "
       "or set CHAINSIM_CHROMIUM to a Chromium binary) and the test extra "
       "(pip install -e '.[test]', which brings playwright)")
LOCAL = ("127.0.0.1", "localhost", "::1", "[::1]")
HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>$\\x{$'
TIMEOUT = 120_000  # ms; the machine is shared, a 3-year rerun takes seconds
# Dash 4 warns that DataTable (the decision log) leaves the builtin components in Dash 5;
# the explore extra pins dash<5.
pytestmark = pytest.mark.filterwarnings("ignore:The dash_table.DataTable:DeprecationWarning")


def chromium() -> str | None:
    given = os.environ.get("CHAINSIM_CHROMIUM")
    if given:
        return given if Path(given).is_file() else None
    return next((p for p in map(shutil.which, BROWSERS) if p), None)


@pytest.fixture
def browser(tmp_path: Path):
    """A fresh Chromium profile; yields (context, requests that went elsewhere)."""
    playwright = pytest.importorskip("playwright.sync_api", reason=f"no playwright: {HOW}")
    binary = chromium()
    if binary is None:
        pytest.skip(f"no Chromium found: {HOW}")
    outside: list[str] = []

    def guard(route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("file", "data", "blob", "about") or url.hostname in LOCAL:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    with playwright.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=binary, args=ARGS, headless=True,
            viewport={"width": 1300, "height": 950})
        context.route("**/*", guard)
        context.set_default_timeout(TIMEOUT)
        try:
            yield context, outside
        finally:
            context.close()


def watch(page) -> list[str]:
    """Dialogs (alert) and script errors of the page."""
    seen: list[str] = []
    page.on("dialog", lambda d: (seen.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("pageerror", lambda e: seen.append(f"error: {e}"))
    return seen


def short_scenario(tmp_path: Path, name: str = "Sinos Valley, short") -> Path:
    """Sinos Valley over three years (1989-1992, the entrant arriving in 1990), with a
    scenario and cluster name of our choosing."""
    text = (SCENARIOS / "sinos_valley.toml").read_text()
    quoted = f"name = {json.dumps(name)}"
    text = re.sub(r'(?m)^name = "Sinos Valley shoes, 1970-2000"', lambda _: quoted, text)
    text = re.sub(r'(?m)^name = "Sinos Valley"$', lambda _: quoted, text)
    text = re.sub(r"(?m)^start_year = 1970", "start_year = 1989", text)
    text = re.sub(r"(?m)^horizon_years = 30", "horizon_years = 3", text)
    text = re.sub(r"(?m)^year = 1991", "year = 1990", text).replace("year = 1985",
                                                                       "year = 1990")
    path = tmp_path / "short.toml"
    path.write_text(text)
    return path


def run_dir(tmp_path: Path, scenario: Path) -> Path:
    from click.testing import CliRunner

    from chainsim.cli import cli

    out = tmp_path / "run"
    result = CliRunner().invoke(cli, ["run", str(scenario), "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    return out


def traces(page, selector: str) -> str:
    return page.evaluate("s => JSON.stringify(document.querySelector(s).data.map("
                         "d => [d.x, d.y, d.line && d.line.width]))", selector)


def test_report_in_the_browser(browser, tmp_path: Path) -> None:
    context, outside = browser
    scenario = short_scenario(tmp_path, HOSTILE)
    report = build_report(run_dir(tmp_path, scenario), tmp_path / "report")
    page = context.new_page()
    seen = watch(page)
    page.goto(report.page.as_uri())
    page.locator("#network").scroll_into_view_if_needed()
    page.wait_for_selector("#network .main-svg", state="attached")
    page.screenshot(path=tmp_path / "report-end.png")
    before = traces(page, "#network .js-plotly-plot")
    rail = page.locator("#network .slider-rail-rect")
    box = rail.bounding_box()
    page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # the first period
    page.wait_for_function("s => JSON.stringify(document.querySelector("
                           "'#network .js-plotly-plot').data.map(d => [d.x, d.y, d.line "
                           "&& d.line.width])) !== s", arg=before)
    page.screenshot(path=tmp_path / "report-start.png")
    # every figure draws as it scrolls into view
    for figure in page.locator("figure").all():
        figure.scroll_into_view_if_needed()
    page.wait_for_function("document.querySelectorAll('div.plot .main-svg').length >= "
                           "document.querySelectorAll('div.plot').length")
    assert page.evaluate("window.__pwned") is None
    assert not seen, seen
    assert not outside, outside
    assert HOSTILE in page.inner_text("h1")  # shown as typed


def serve(app):
    """The Dash app on a free loopback port, in a thread; returns (url, stop)."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return f"http://127.0.0.1:{server.server_port}/", server.shutdown


def control(path: str) -> str:
    ident = json.dumps({"path": path, "type": "ctl"}, separators=(",", ":"))
    return '[id="' + ident.replace('"', '\\"') + '"] input'


def wait_status(page, old: str | None = None) -> str:
    page.wait_for_selector("#status")
    page.wait_for_function("o => { const s = document.querySelector('#status'); "
                           "return s && s.textContent !== o && (s.textContent.includes("
                           "'SimPy events') || s.className === 'bad'); }", arg=old or "")
    return page.text_content("#status")


def test_explorer_in_the_browser(browser, tmp_path: Path) -> None:
    pytest.importorskip("dash", reason="no Dash: pip install -e '.[explore]'")
    from chainsim.explore import choices
    from chainsim.explore.app import build

    context, outside = browser
    scenario = str(short_scenario(tmp_path, HOSTILE))
    url, stop = serve(build(scenario, {**choices(), scenario: scenario}))
    try:
        page = context.new_page()
        seen = watch(page)
        page.goto(url)
        status = wait_status(page)
        page.wait_for_selector("#fig-network .main-svg", state="attached")
        page.screenshot(path=tmp_path / "explore-1.png")
        page.locator("#box-buyers").scroll_into_view_if_needed()  # drawn when in view
        page.wait_for_selector("#fig-buyers .main-svg", state="attached")
        page.evaluate("window.scrollTo(0, 0)")
        network, prices, buyers = (traces(page, f"#fig-{n} .js-plotly-plot")
                                   for n in ("network", "price_index", "buyers"))
        box = page.locator(control("buyers.us-main.count"))
        box.fill("3")
        box.press("Tab")  # the slider's number box commits on blur
        status = wait_status(page, status)
        assert "buyers.us-main.count=3" in status
        for name, before in (("network", network), ("price_index", prices)):
            # the network comes first, the series figures right after it; a figure is
            # drawn when it is in view, and a tall network can push the next one below
            page.locator(f"#fig-{name}").scroll_into_view_if_needed()
            page.wait_for_function("([n, s]) => JSON.stringify(document.querySelector("
                                   "'#fig-' + n + ' .js-plotly-plot').data.map(d => [d.x, "
                                   "d.y, d.line && d.line.width])) !== s", arg=[name, before])
        assert traces(page, "#fig-price_index .js-plotly-plot") != prices
        # the network is drawn first without its replay's frames; they follow
        page.wait_for_function("() => { const gd = document.querySelector('#fig-network "
                               ".js-plotly-plot'); return gd._transitionData && "
                               "gd._transitionData._frames.length > 0; }")
        page.screenshot(path=tmp_path / "explore-2.png")
        # a figure out of view is redrawn when it is scrolled to
        page.locator("#box-buyers").scroll_into_view_if_needed()
        page.wait_for_function("s => JSON.stringify(document.querySelector('#fig-buyers "
                               ".js-plotly-plot').data.map(d => [d.x, d.y, d.line && "
                               "d.line.width])) !== s", arg=buyers)
        page.evaluate("window.scrollTo(0, 0)")

        # an impossible value: the CLI's one-line message, in the page; the app goes on
        page.fill("#sets", "buyers.us-main.price=-1")
        page.click("#run")
        status = wait_status(page, status)
        assert page.get_attribute("#status", "class") == "bad"
        assert re.search(r"^error: .*short\.toml: buyers\.us-main\.price: ", status), status
        page.fill("#sets", "")
        page.click("#run")
        status = wait_status(page, status)
        assert "SimPy events" in status
        assert page.evaluate("window.__pwned") is None
        assert not seen, seen
        assert not outside, outside
    finally:
        stop()
