"""The input limits of the service, defined once: the schemas, the pages, the CLI, the imports
and the table constraints all read them from here.

They are the app's bounds on what the tables hold and the solvers take; the domain's own rules
(the score motivation's length, an amendment's motivation) live in ``evaluation`` and are named
here so that one import finds every limit.
"""

from __future__ import annotations

from marshmallow import validate

from evaluation.scoring import MIN_MOTIVATION_LENGTH as MIN_SCORE_MOTIVATION
from evaluation.submission import MIN_MOTIVATION as MIN_DECISION_MOTIVATION

#: Years of calls and projects (a project before 1990 is not in the registry's sources).
YEAR_MIN, YEAR_MAX = 1990, 2100
#: Money in cents: €100 billion, far above any call, keeps BIGINT and the solvers safe.
MAX_CENTS = 10**13
#: Row ids are 32-bit integers.
MAX_ID = 2**31 - 1
#: Counts of a call's rules (local governments, applications per lead).
MAX_COUNT = 1000
#: Criteria scales, weights and thresholds lie within ±SCALE_BOUND; a step is at least this.
SCALE_BOUND = 1e6
MIN_SCALE_STEP = 1e-6
#: The longest motivation of a decision (override, amendment, recomputation), in characters.
MAX_MOTIVATION = 5000

YEAR_RANGE = validate.Range(min=YEAR_MIN, max=YEAR_MAX)
ID_RANGE = validate.Range(min=1, max=MAX_ID)
#: A decision's motivation (the eligibility override, the recomputation of a frozen evaluation).
DECISION_MOTIVATION = validate.Length(min=MIN_DECISION_MOTIVATION, max=MAX_MOTIVATION)


def valid_id(value: int) -> bool:
    """Whether ``value`` can be a row id (a path parameter out of range is simply not found)."""
    return 0 < value <= MAX_ID


__all__ = [
    "DECISION_MOTIVATION", "ID_RANGE", "MAX_CENTS", "MAX_COUNT", "MAX_ID", "MAX_MOTIVATION",
    "MIN_DECISION_MOTIVATION", "MIN_SCALE_STEP", "MIN_SCORE_MOTIVATION", "SCALE_BOUND",
    "YEAR_MAX", "YEAR_MIN", "YEAR_RANGE", "valid_id",
]
