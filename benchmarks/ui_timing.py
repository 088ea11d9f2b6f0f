"""How fast the explorer redraws and the report opens, in the system's headless Chromium
(issue 15 item 4: a Sinos Valley rerun redrawn in under 2 s from the click; the report
of 20 replications showing its first figure in under 3 s).

    .venv/bin/python -m benchmarks.ui_timing explorer [--repeats 5] [--scenario NAME]
    .venv/bin/python -m benchmarks.ui_timing report DIR [--repeats 5]
    .venv/bin/python -m benchmarks.ui_timing report --replications 20 [--repeats 5]

explorer: `chainsim explore SCENARIO` runs as a child process (the command a user
types); the page is opened, then the spillover rate of the first cluster is typed into
its slider's box and committed (Tab) `--repeats` times, a new value each time. A rerun's
time runs from the key press (the browser's clock) until the status line says the new
run and every figure in view has been redrawn (Plotly's `plotly_afterplot`, then two
animation frames, so the page has painted; figures out of view are drawn when scrolled
to, and `scrolled_to_last_s` times that for the last one). The CPU seconds of the server's process
tree (the server and any worker process it starts) and of the browser are read from
/proc around each rerun, and the server's own split (simulated / drawn) from its status
line.

report: `chainsim report DIR` is built (its CPU seconds measured), then opened
`--repeats` times, each in a freshly launched browser with a new profile ("cold") and
once more in the same browser ("warm"); the time runs from the navigation's start to
the first figure drawn, with the page scrolled to the first figure as soon as the
document is parsed (figures draw when they come into view). Also: the load event and
first contentful paint. Without DIR, `--replications N` Sinos Valley replications are run
into a temporary directory first.

The machine may be shared: medians are printed with the load average and the cores
other work kept busy (`busy_cores`) at the time; read the CPU seconds alongside the
wall times. Nothing is asserted; the JSON goes to `--json FILE` if given.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, git_sha
from benchmarks.run import busy_cores

TICK = os.sysconf("SC_CLK_TCK")
SIM = re.compile(r"simulated in ([\d.]+) s \(([\d.]+) CPU s\), drawn in ([\d.]+) s "
                 r"\(([\d.]+) CPU s")


# -- CPU seconds of process trees, from /proc --------------------------------------------


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds incl. reaped children) of a process."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), sum(int(x) for x in fields[11:15]) / TICK


def tree_cpu(root: int, skip: set[int] = frozenset()) -> float:
    """CPU seconds of `root` and all its descendants (minus the trees rooted in `skip`)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            st = _stat(int(entry.name))
            if st is not None:
                stats[int(entry.name)] = st
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in stats.items():
        children.setdefault(ppid, []).append(pid)
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        if pid in skip or pid not in stats:
            continue
        total += stats[pid][1]
        todo += children.get(pid, [])
    return total


def machine_load() -> dict[str, float]:
    return {"load1": round(os.getloadavg()[0], 2), "busy_cores": round(busy_cores(1.0), 2)}


def med(xs: list[float]) -> float:
    return round(float(statistics.median(xs)), 3) if xs else float("nan")


# -- the browser ---------------------------------------------------------------------------


def open_browser(pw: Any, profile: Path) -> Any:
    """Headless system Chromium as tests/test_browser.py launches it, loopback only."""
    from urllib.parse import urlparse

    from tests.test_browser import ARGS, HOW, LOCAL, chromium

    binary = chromium()
    if binary is None:
        raise SystemExit(f"no Chromium found: {HOW}")
    context = pw.chromium.launch_persistent_context(
        str(profile), executable_path=binary, args=ARGS, headless=True,
        viewport={"width": 1300, "height": 950})

    def guard(route: Any) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("file", "data", "blob", "about") or url.hostname in LOCAL:
            route.continue_()
        else:
            route.abort()

    context.route("**/*", guard)
    context.set_default_timeout(300_000)
    return context


# -- explorer --------------------------------------------------------------------------------

# Marks each graph's last draw; records the Tab press that commits a slider's box.
WATCH = """() => {
  document.querySelectorAll('#figures .js-plotly-plot').forEach(gd => {
    if (!gd.__timed) { gd.__timed = 1; gd.on('plotly_afterplot', () => {
      gd.__drawn = performance.now(); }); }});
  if (!window.__keyed) { window.__keyed = 1; document.addEventListener('keydown', e => {
    if (e.key === 'Tab') window.__t0 = performance.now(); }, true); }
}"""
# Resolves when the status shows a new run and every figure in view has drawn since t0
# (figures out of view wait until they are scrolled to); polls every 20 ms.
REDRAWN = """async (old) => {
  const inView = gd => { const r = gd.getBoundingClientRect();
      return r.bottom > 0 && r.top < window.innerHeight; };
  const shown = () => [...document.querySelectorAll('#figures > div')]
      .filter(b => b.style.display !== 'none')
      .map(b => b.querySelector('.js-plotly-plot')).filter(gd => gd && inView(gd));
  const done = () => { const s = document.querySelector('#status').textContent;
      return s !== old && s.includes('SimPy events') && shown().length &&
             shown().every(gd => (gd.__drawn || 0) > window.__t0); };
  while (!done()) await new Promise(r => setTimeout(r, 20));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const last = Math.max(...shown().map(gd => gd.__drawn));
  return {painted: performance.now() - window.__t0, drawn: last - window.__t0,
          figures: shown().length};
}"""
# Scrolls to the last figure and resolves when it has drawn: a deferred figure's wait.
SCROLLED = """async () => {
  const boxes = [...document.querySelectorAll('#figures > div')]
      .filter(b => b.style.display !== 'none');
  const gd = boxes[boxes.length - 1].querySelector('.js-plotly-plot');
  const t0 = performance.now(), drawn = (gd.__drawn || 0) > window.__t0;
  boxes[boxes.length - 1].scrollIntoView();  // drawn already (all at once): nothing to wait
  while (!drawn && (gd.__drawn || 0) < t0) await new Promise(r => setTimeout(r, 20));
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  const s = performance.now() - t0;
  window.scrollTo(0, 0);
  await new Promise(r => setTimeout(r, 300));
  return s;
}"""


def start_server(scenario: str) -> tuple[subprocess.Popen, str]:
    from chainsim.explore import free_port

    port = free_port("127.0.0.1")
    proc = subprocess.Popen([str(Path(sys.executable).parent / "chainsim"), "explore",
                             scenario, "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    line = proc.stdout.readline()
    if "http://" not in line:
        proc.kill()
        raise SystemExit(f"chainsim explore did not start: {line}{proc.stdout.read()}")
    return proc, f"http://127.0.0.1:{port}/"


def explorer(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    from tests.test_browser import control

    proc, url = start_server(args.scenario)
    rows: list[dict[str, Any]] = []
    try:
        with sync_playwright() as pw, tempfile.TemporaryDirectory() as tmp:
            context = open_browser(pw, Path(tmp) / "profile")
            page = context.new_page()
            me = os.getpid()
            page.goto(url)
            page.wait_for_function("document.querySelector('#status') && document."
                                   "querySelector('#status').textContent.includes('SimPy')")
            page.wait_for_selector("#fig-network .main-svg", state="attached")
            box = page.locator(control(args.path))
            for i in range(args.repeats + 1):  # the first is a warm-up
                page.evaluate(WATCH)
                old = page.text_content("#status")
                box.fill(f"{args.start + args.step * (i + 1):.4g}")
                load = machine_load()
                server0, all0 = tree_cpu(proc.pid), tree_cpu(me, {proc.pid})
                box.press("Tab")
                times = page.evaluate(REDRAWN, old)
                server, browser = tree_cpu(proc.pid) - server0, \
                    tree_cpu(me, {proc.pid}) - all0
                status = page.text_content("#status")
                scrolled = page.evaluate(SCROLLED)
                m = SIM.search(status)
                row = {"value": float(box.input_value()), **load,
                       "redrawn_s": round(times["painted"] / 1000, 3),
                       "last_afterplot_s": round(times["drawn"] / 1000, 3),
                       "figures_in_view": times["figures"],
                       "scrolled_to_last_s": round(scrolled / 1000, 3),
                       "server_cpu_s": round(server, 3),
                       "browser_and_driver_cpu_s": round(browser, 3),
                       "server_simulated_s": float(m[1]) if m else None,
                       "server_simulated_cpu_s": float(m[2]) if m else None,
                       "server_drawn_s": float(m[3]) if m else None,
                       "server_callback_cpu_s": float(m[4]) if m else None}
                print(("warm-up " if i == 0 else f"rerun {i}  ") + json.dumps(row),
                      flush=True)
                if i:
                    rows.append(row)
            context.close()
    finally:
        proc.terminate()
        proc.wait(10)
    keys = ("redrawn_s", "scrolled_to_last_s", "server_cpu_s", "browser_and_driver_cpu_s",
            "server_simulated_s", "server_simulated_cpu_s", "server_drawn_s",
            "server_callback_cpu_s", "load1", "busy_cores")
    return {"runs": rows, "median": {k: med([r[k] for r in rows if r[k] is not None])
                                     for k in keys}}


# -- report ----------------------------------------------------------------------------------

FIRST = """() => {
  window.__first = null;
  const go = () => { const el = document.querySelector('div.plot');
    if (!el) return;
    new MutationObserver((_, obs) => { if (el.querySelector('.main-svg') &&
        window.__first === null) { window.__first = performance.now(); obs.disconnect(); }})
      .observe(el, {childList: true, subtree: true});
    el.scrollIntoView(); };
  document.addEventListener('DOMContentLoaded', go);
}"""
FIRST_DRAWN = """async () => {
  const nav = performance.getEntriesByType('navigation')[0];
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {first: window.__first, load: nav.loadEventStart,
          dom: nav.domContentLoadedEventStart, fcp: fcp ? fcp.startTime : null};
}"""


def replications_dir(n: int, into: Path) -> Path:
    out = into / f"sinos-{n}"
    subprocess.run([str(Path(sys.executable).parent / "chainsim"), "run",
                    str(ROOT / "scenarios" / "sinos_valley.toml"), "--replications", str(n),
                    "--out", str(out)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return out


def build_page(source: Path, target: Path) -> tuple[Path, float, float]:
    """`chainsim report SOURCE --out TARGET`: (page, wall s, CPU s)."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([str(Path(sys.executable).parent / "chainsim"), "report", str(source),
                    "--out", str(target)], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return target / "report.html", wall, cpu


def open_once(page: Any, uri: str, me: int) -> dict[str, Any]:
    load = machine_load()
    cpu0 = tree_cpu(me)
    page.goto(uri, wait_until="commit")
    page.wait_for_function("window.__first > 0 && document.readyState === 'complete'",
                           polling=10)
    t = page.evaluate(FIRST_DRAWN)
    return {**load, "first_figure_s": round(t["first"] / 1000, 3),
            "load_event_s": round(t["load"] / 1000, 3),
            "dom_content_loaded_s": round(t["dom"] / 1000, 3),
            "first_contentful_paint_s": round(t["fcp"] / 1000, 3) if t["fcp"] else None,
            "browser_and_driver_cpu_s": round(tree_cpu(me) - cpu0, 3)}


def report(args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        source = Path(args.dir) if args.dir else replications_dir(args.replications,
                                                                   Path(tmp))
        page_path, wall, cpu = build_page(source, Path(tmp) / "report")
        size = page_path.stat().st_size
        print(f"built {page_path.name}: {size / 1e6:.2f} MB in {wall:.2f} s "
              f"({cpu:.2f} CPU s)", flush=True)
        cold, warm = [], []
        with sync_playwright() as pw:
            for i in range(args.repeats):
                context = open_browser(pw, Path(tmp) / f"profile-{i}")
                context.add_init_script(f"({FIRST})()")
                page = context.new_page()
                cold.append(open_once(page, page_path.as_uri(), os.getpid()))
                warm.append(open_once(page, page_path.as_uri(), os.getpid()))
                print(f"open {i + 1} cold {json.dumps(cold[-1])}\n       warm "
                      f"{json.dumps(warm[-1])}", flush=True)
                context.close()
    keys = ("first_figure_s", "load_event_s", "first_contentful_paint_s",
            "browser_and_driver_cpu_s", "load1", "busy_cores")
    return {"page_bytes": size, "build_wall_s": round(wall, 3), "build_cpu_s": round(cpu, 3),
            "cold": cold, "warm": warm,
            "median": {f"{part}_{k}": med([r[k] for r in rows if r[k] is not None])
                       for part, rows in (("cold", cold), ("warm", warm)) for k in keys}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=("explorer", "report"))
    parser.add_argument("dir", nargs="?", help="report: a chainsim --out directory")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scenario", default="sinos_valley", help="explorer: scenario")
    parser.add_argument("--path", default="clusters.sinos.spillover",
                        help="explorer: the control changed each time")
    parser.add_argument("--start", type=float, default=0.05,
                        help="explorer: first value is start + step")
    parser.add_argument("--step", type=float, default=0.01)
    parser.add_argument("--replications", type=int, default=20,
                        help="report without DIR: Sinos Valley replications to run first")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args()
    result = explorer(args) if args.what == "explorer" else report(args)
    result = {"what": args.what, "chainsim": git_sha(), "nproc": os.cpu_count(), **result}
    print("median: " + json.dumps(result["median"]))
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
