"""The house stays small: no module of app/, matching/ or evaluation/ is over 500 lines (a module
that grows past it is split by job, see docs/architecture.md). Migrations and data are apart."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "matching", "evaluation")
MAX_LINES = 500


def test_no_module_is_over_500_lines():
    long = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > MAX_LINES:
                long[str(path.relative_to(ROOT))] = lines
    assert not long, f"modules over {MAX_LINES} lines (split them by job): {long}"
