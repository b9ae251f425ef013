"""The frozen evaluation of a call: what the jury reads from the deadline on, and its differences.

At the deadline the app stores, per application, the eligibility and indicator inputs, the
weights, the registry version and the results (a JSON-native mapping). Jurors, ranking and
summaries read that snapshot, so a registry change or a late application cannot move a figure
while the jury scores. Recomputing is an explicit secretariat action; :func:`differences` says
what it changes, leaf by leaf, so the secretariat sees it before and the audit keeps it after.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: Version of the snapshot layout, stored in it.
SNAPSHOT_VERSION = 1


@dataclass(frozen=True)
class Difference:
    """One value that differs: its path (``"12.indicators.leverage.value"``), before and after."""

    path: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "old": self.old, "new": self.new}


_MISSING = object()


def _walk(prefix: str, old: Any, new: Any, out: list[Difference]) -> None:
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        for key in sorted(set(old) | set(new), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            _walk(path, old.get(key, _MISSING), new.get(key, _MISSING), out)
        return
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _walk(f"{prefix}[{i}]", a, b, out)
        return
    if old is _MISSING or new is _MISSING or old != new:
        out.append(
            Difference(
                prefix,
                None if old is _MISSING else old,
                None if new is _MISSING else new,
            )
        )


def differences(
    old: Mapping[str, Any], new: Mapping[str, Any], *, tolerance: float = 1e-9
) -> tuple[Difference, ...]:
    """Every leaf value that differs between two snapshots (numbers within ``tolerance`` equal).

    A key present on one side only is a difference with ``None`` on the other side.
    """
    found: list[Difference] = []
    _walk("", old, new, found)
    out = []
    for d in found:
        if (
            isinstance(d.old, (int, float))
            and isinstance(d.new, (int, float))
            and not isinstance(d.old, bool)
            and not isinstance(d.new, bool)
            and abs(d.old - d.new) <= tolerance
        ):
            continue
        out.append(d)
    return tuple(out)
