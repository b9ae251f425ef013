"""Calls: the model and its validation (``model``), the JSON parser (``parsing``) and the
presets read from data files (``presets``). Import from here; the split is for reading."""

from evaluation.calls.model import (
    CALL_TYPES,
    DEFAULT_FOLLOWER_DISTANCE_KM,
    INDICATOR_NAMES,
    LEAD_RULES,
    MAX_FOLLOWER_DISTANCE_KM,
    VGC,
    VGC_NAME,
    Call,
    Criterion,
    FieldError,
    InvalidCall,
    InvalidInput,
    SourceNote,
    call_errors,
    finite_number,
)
from evaluation.calls.parsing import call_from_dict, criterion_from_dict
from evaluation.calls.presets import PRESETS, UnknownPreset, load_preset, preset_call

__all__ = [
    "CALL_TYPES",
    "DEFAULT_FOLLOWER_DISTANCE_KM",
    "INDICATOR_NAMES",
    "LEAD_RULES",
    "MAX_FOLLOWER_DISTANCE_KM",
    "PRESETS",
    "VGC",
    "VGC_NAME",
    "Call",
    "Criterion",
    "FieldError",
    "InvalidCall",
    "InvalidInput",
    "SourceNote",
    "UnknownPreset",
    "call_errors",
    "call_from_dict",
    "criterion_from_dict",
    "finite_number",
    "load_preset",
    "preset_call",
]
