"""Run every benchmark and write docs/benchmarks.md (machine, date, figures).

Each ``bench/bench_*.py`` is run as its own process (``python -m bench.<name>``) and must print
one JSON object on its last stdout line. Lists of objects become tables; nested objects become
``key: value`` lines. ``python -m bench.run bench_partners`` runs a subset and keeps the other
sections of docs/benchmarks.md as they were.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "benchmarks.md"


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{platform.system()} {platform.machine()}, {cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}"


def render(value, depth: int = 0) -> list[str]:
    lines: list[str] = []
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        keys: list[str] = []
        for row in value:
            for k in row:
                if k not in keys:
                    keys.append(k)
        lines.append("| " + " | ".join(keys) + " |")
        lines.append("|" + "---|" * len(keys))
        for row in value:
            lines.append("| " + " | ".join(_fmt(row.get(k, "")) for k in keys) + " |")
        lines.append("")
    elif isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list)) and v and not _flat_list(v):
                lines.append(f"{'  ' * depth}- **{k}**:")
                lines.append("")
                lines.extend(render(v, depth + 1))
            else:
                lines.append(f"{'  ' * depth}- **{k}**: {_fmt(v)}")
        lines.append("")
    else:
        lines.append(_fmt(value))
    return lines


def _flat_list(v) -> bool:
    return isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v)


def _fmt(v) -> str:
    if isinstance(v, float):
        return f"{v:.4g}"
    if isinstance(v, list):
        return ", ".join(_fmt(x) for x in v)
    return str(v)


def last_json_object(stdout: str):
    """The last JSON object printed: a one-line object, or a pretty-printed one starting at '{'."""
    lines = stdout.strip().splitlines()
    for i in range(len(lines) - 1, -1, -1):
        if not lines[i].startswith("{"):
            continue
        for candidate in (lines[i], "\n".join(lines[i:])):
            try:
                return json.loads(candidate)
            except json.JSONDecodeError:
                continue
    return None


def merged(previous: str, fresh: dict[str, str]) -> list[str]:
    """The sections of ``previous`` (a benchmarks.md) in their order, each replaced by the
    fresh section of the same benchmark (named by its ``python -m bench.NAME`` line); fresh
    sections of benchmarks not there yet come last."""
    out, done = [], set()
    for chunk in previous.split("\n## ")[1:]:
        name = next((n for n in fresh if f"`python -m bench.{n}`" in chunk), None)
        if name is None:
            out.append("## " + chunk.rstrip("\n") + "\n")
        else:
            out.append(fresh[name])
            done.add(name)
    return out + [text for n, text in fresh.items() if n not in done]


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    sections, failed = [], []
    for name in names:
        start = time.perf_counter()
        print(f"running {name} ...", flush=True)
        proc = subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=ROOT, capture_output=True, text=True)
        took = time.perf_counter() - start
        if proc.returncode != 0:
            failed.append(name)
            sections.append(f"## {name}\n\nFAILED (exit {proc.returncode}):\n\n```\n{proc.stderr[-2000:]}\n```\n")
            continue
        data = last_json_object(proc.stdout)
        if not isinstance(data, dict):
            failed.append(name)
            sections.append(f"## {name}\n\nFAILED: printed no JSON object:\n\n```\n{proc.stdout[-1500:]}\n```\n")
            continue
        title = data.pop("title", name) if isinstance(data, dict) else name
        body = "\n".join(render(data))
        when = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}"
        sections.append(f"## {title}\n\n`python -m bench.{name}` ({took:.0f} s wall in all, "
                        f"ended {when})\n\n{body}")
    header = (
        "# Benchmarks\n\nWritten by `make bench` (`python -m bench.run`); do not edit by hand.\n\n"
        f"- machine: {machine()}\n- date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"
        "- every figure is the median of several runs unless it says otherwise; baselines are "
        "measured in the same run; where a benchmark reads the load average it records it (a shared "
        "machine slows wall-clock figures).\n\n"
    )
    if argv and OUT.exists():  # a subset: keep the header and the other sections as they were
        previous = OUT.read_text()
        sections = merged(previous, dict(zip(names, sections, strict=True)))
        header = previous.split("\n## ")[0].rstrip("\n") + "\n\n"
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(header + "\n".join(sections))
    print(f"wrote {OUT}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
