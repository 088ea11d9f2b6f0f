"""Profile one full Sinos Valley run: cProfile, and py-spy when it is installed.

    .venv/bin/python -m benchmarks.hotspots [--top 25] [--horizon YEARS]

cProfile gives exact call counts but inflates the cost of small functions (its own
overhead per call); py-spy samples the unmodified interpreter, so its shares are the ones
to trust for "where does the time go". Both reports are printed and written to
benchmarks/results/profile-<date>-<git sha>.txt.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import pstats
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from benchmarks.common import RESULTS, ROOT, git_sha

CHILD = """
import sys
from benchmarks.common import build_scenario
from chainsim.engine.simulation import simulate
h = None if sys.argv[1] == "None" else float(sys.argv[1])
s = build_scenario(None if sys.argv[2] == "None" else int(sys.argv[2]))
for _ in range(int(sys.argv[3])):
    simulate(s, horizon_years=h)
"""


def short(path: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


def cprofile_report(horizon: float | None, firms: int | None, top: int) -> str:
    from benchmarks.common import build_scenario
    from chainsim.engine.simulation import simulate

    scenario = build_scenario(firms)
    simulate(scenario, horizon_years=1.0)  # imports and caches outside the profile
    prof = cProfile.Profile()
    prof.enable()
    simulate(scenario, horizon_years=horizon)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = []
    for (path, line, name), (_cc, nc, tt, ct, _callers) in stats.stats.items():  # type: ignore[attr-defined]
        rows.append((tt, ct, nc, f"{short(path)}:{line}({name})"))
    lines = [f"cProfile, one run ({total:.2f} s under the profiler)",
             f"{'self %':>7} {'self s':>7} {'cum s':>7} {'calls':>9}  function"]
    for tt, ct, nc, where in sorted(rows, reverse=True)[:top]:
        lines.append(f"{100 * tt / total:>6.1f}% {tt:>7.3f} {ct:>7.3f} {nc:>9}  {where}")
    lines += ["", "by cumulative time (chainsim functions)"]
    own = [r for r in rows if "chainsim/" in r[3]]
    for tt, ct, nc, where in sorted(own, key=lambda r: -r[1])[:top]:
        lines.append(f"{100 * ct / total:>6.1f}% {tt:>7.3f} {ct:>7.3f} {nc:>9}  {where}")
    return "\n".join(lines)


def pyspy_exe() -> str | None:
    here = Path(sys.executable).parent / "py-spy"
    return str(here) if here.exists() else shutil.which("py-spy")


def pyspy_report(horizon: float | None, firms: int | None, top: int, runs: int) -> str:
    exe = pyspy_exe()
    if exe is None:
        return "py-spy: not installed (.venv/bin/pip install py-spy)"
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "stacks.txt"
        cmd = [exe, "record", "--rate", "250", "--format", "raw", "--output", str(raw), "--",
               sys.executable, "-c", CHILD, str(horizon), str(firms), str(runs)]
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0 or not raw.exists():
            return f"py-spy failed ({done.returncode}): {done.stderr.strip()[-500:]}"
        self_count: Counter[str] = Counter()
        self_line: Counter[str] = Counter()
        incl: Counter[str] = Counter()
        total = 0
        in_run = 0
        for line in raw.read_text().splitlines():
            stack, _, n = line.rpartition(" ")
            if not stack:
                continue
            count = int(n)
            frames = stack.split(";")
            total += count
            if not any("simpy/core.py" in f and f.split(" (")[0].endswith("run")
                       for f in frames):
                continue  # imports, scenario loading: outside simulate's env.run
            in_run += count
            self_count[_frame(frames[-1])] += count
            chainsim_frames = [f for f in frames if "chainsim/" in f]
            if chainsim_frames:  # the innermost chainsim line: model code or what it calls
                self_line[chainsim_frames[-1]] += count
            for f in {_frame(f) for f in frames}:
                incl[f] += count
    lines = [f"py-spy, {runs} run(s), {total} samples at 250 Hz; {in_run} inside env.run",
             "self time (share of samples inside env.run)"]
    for f, c in self_count.most_common(top):
        lines.append(f"{100 * c / in_run:>6.1f}%  {f}")
    lines += ["", "inclusive time, chainsim functions (share of samples inside env.run)"]
    for f, c in [(f, c) for f, c in incl.most_common() if "chainsim/" in f][:top]:
        lines.append(f"{100 * c / in_run:>6.1f}%  {f}")
    lines += ["", "chainsim source lines (innermost chainsim frame, including what the line "
              "calls outside chainsim)"]
    for f, c in self_line.most_common(top):
        lines.append(f"{100 * c / in_run:>6.1f}%  {f}")
    return "\n".join(lines)


def _frame(frame: str) -> str:
    """'name (path:line)' -> 'name (short path)', dropping the line so samples merge."""
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({short(path)})"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.hotspots", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--horizon", type=float, default=None, help="years (default: scenario's)")
    ap.add_argument("--firms", type=int, default=None,
                    help="scale Sinos Valley to this many firms (as benchmarks.run does)")
    ap.add_argument("--runs", type=int, default=3, help="runs sampled by py-spy")
    ap.add_argument("--no-cprofile", action="store_true", help="py-spy only")
    args = ap.parse_args(argv)
    sha = git_sha()
    what = f"Sinos Valley{'' if args.firms is None else f' scaled to {args.firms} firms'}, " \
        f"{'scenario horizon' if args.horizon is None else f'{args.horizon:g} years'}"
    parts = [f"chainsim hotspots  {sha}  {dt.datetime.now(dt.UTC):%Y-%m-%dT%H:%M:%SZ}  {what}"]
    if not args.no_cprofile:
        parts.append(cprofile_report(args.horizon, args.firms, args.top))
    parts.append(pyspy_report(args.horizon, args.firms, args.top, args.runs))
    report = "\n\n".join(parts)
    print(report)
    tag = "" if args.firms is None else f"-{args.firms}firms"
    out = RESULTS / f"profile-{dt.datetime.now(dt.UTC):%Y-%m-%d}-{sha}{tag}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report + "\n")
    print(f"wrote {out.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
