"""The service runs on requirements.txt alone: every package that app/, matching/, evaluation/ and
config.py import (at the top or inside a function) is pinned there, not only in
requirements-dev.txt. `make run` installs nothing else."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"app", "matching", "evaluation", "config", "migrations", "tests", "bench", "seed_data"}


def _locked(name: str) -> set[str]:
    text = (ROOT / name).read_text(encoding="utf-8")
    return {_norm(m) for m in re.findall(r"^([A-Za-z0-9_.\-]+)==", text, re.M)}


def _norm(dist: str) -> str:
    return re.sub(r"[-_.]+", "-", dist).lower()


def _imported_top_level_modules() -> dict[str, str]:
    """{top-level module: a file that imports it} over the service's own code."""
    files = [ROOT / "config.py"] + [p for pkg in ("app", "matching", "evaluation")
                                    for p in (ROOT / pkg).rglob("*.py")]
    found: dict[str, str] = {}
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def test_everything_the_service_imports_is_a_runtime_requirement():
    runtime, dev = _locked("requirements.txt"), _locked("requirements-dev.txt")
    distributions = importlib.metadata.packages_distributions()
    missing = []
    for module, where in sorted(_imported_top_level_modules().items()):
        dists = {_norm(d) for d in distributions.get(module, [])}
        assert dists, f"{where} imports {module}, which no installed distribution provides"
        if not dists & runtime:
            missing.append(f"{module} ({where}; {'dev only' if dists & dev else 'in no lock'})")
    assert missing == [], "add to requirements.in: " + ", ".join(missing)


def test_the_dev_lock_agrees_with_the_runtime_lock():
    """requirements-dev.in is compiled with -c requirements.txt: a package in both has one pin."""
    def pins(name: str) -> dict[str, str]:
        text = (ROOT / name).read_text(encoding="utf-8")
        return {_norm(n): v for n, v in re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+)", text, re.M)}

    runtime, dev = pins("requirements.txt"), pins("requirements-dev.txt")
    assert {n: (runtime[n], dev[n]) for n in runtime.keys() & dev.keys() if runtime[n] != dev[n]} == {}
