"""The call presets: one TOML data file per preset in ``presets/``, read by one loader.

A preset file holds the call's figures (the fields of :class:`~evaluation.calls.model.Call`)
and a ``[[sources]]`` entry for each of them: the seed line or public text it comes from
(``/work/shared/DOMAIN-FACTS.md`` lists them), and ``interpretation = true`` where the reading
is ours. ``_shared.toml`` holds what several presets share: source notes (``[[sources]]
shared = "<name>"``), criteria sets (``criteria = "<name>"``) and not-checked remarks
(``not_checked_shared``). A new preset is a new file; no code changes.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from evaluation.calls.model import Call, Criterion, SourceNote

#: Where the preset files live; the file name without ``.toml`` is the preset's name.
PRESET_DIR = Path(__file__).with_name("presets")

_SHARED_FILE = "_shared.toml"

#: Keys of a preset file that are not fields of :class:`Call` as they stand.
_STRUCTURE_KEYS = {"criteria", "sources", "not_checked", "not_checked_shared"}


class UnknownPreset(KeyError):
    """No preset with this name; ``name`` is what was asked, ``known`` what exists."""

    def __init__(self, name: str):
        self.name = name
        self.known = tuple(PRESETS)
        super().__init__(f"unknown preset {name!r}; known: {', '.join(self.known)}")


class InvalidPresetFile(ValueError):
    """A preset file that the loader cannot turn into a call (a bug in the data, not user input)."""


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as fh:
        return tomllib.load(fh)


@cache
def _shared() -> dict[str, Any]:
    return _read(PRESET_DIR / _SHARED_FILE)


def _note(entry: dict[str, Any], where: str) -> SourceNote:
    if "shared" in entry:
        try:
            entry = _shared()["notes"][entry["shared"]]
        except KeyError:
            raise InvalidPresetFile(f"{where}: no shared note {entry['shared']!r}") from None
    return SourceNote(**entry)


def _criteria(name: str, where: str) -> tuple[Criterion, ...]:
    try:
        items = _shared()["criteria"][name]
    except KeyError:
        raise InvalidPresetFile(f"{where}: no criteria set {name!r}") from None
    return tuple(Criterion(**item) for item in items)


def load_preset(path: Path) -> Call:
    """The call in one preset file; raises :class:`InvalidPresetFile` when the data is broken."""
    raw = _read(path)
    where = path.name
    fields = {k: v for k, v in raw.items() if k not in _STRUCTURE_KEYS}
    if "allowed_domains" in fields and fields["allowed_domains"] is not None:
        fields["allowed_domains"] = tuple(fields["allowed_domains"])
    shared_remarks = _shared().get("not_checked", {})
    try:
        not_checked = tuple(shared_remarks[k] for k in raw.get("not_checked_shared", ()))
    except KeyError as exc:
        raise InvalidPresetFile(f"{where}: no shared not_checked remark {exc}") from None
    return Call(
        **fields,
        criteria=_criteria(raw.get("criteria", ""), where),
        preset=path.stem,
        sources=tuple(_note(e, where) for e in raw.get("sources", ())),
        not_checked=not_checked + tuple(raw.get("not_checked", ())),
    )


def _preset_paths() -> dict[str, Path]:
    return {p.stem: p for p in sorted(PRESET_DIR.glob("*.toml")) if p.name != _SHARED_FILE}


#: Preset name -> its data file, in alphabetical order.
PRESETS: dict[str, Path] = _preset_paths()


def preset_call(name: str) -> Call:
    """The preset call ``name`` (one of :data:`PRESETS`); raises :class:`UnknownPreset`."""
    try:
        path = PRESETS[name]
    except KeyError:
        raise UnknownPreset(name) from None
    return load_preset(path)
