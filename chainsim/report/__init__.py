"""The experiment report: `chainsim report DIR` (docs/report.md).

`build_report(DIR)` reads the `--out DIR` of `chainsim run --replications`, `compare`,
`sweep` or `propositions` and writes a self-contained `report.html` (inline CSS, figures
as base64 PNG, nothing fetched from the network) and the figures as PNG files.
"""

from chainsim.report.build import Report, build_report
from chainsim.report.data import ReportError, load_output

__all__ = ["Report", "ReportError", "build_report", "load_output"]
