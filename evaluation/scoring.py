"""Score validation: a juror's (or the chair's consensus) score on one criterion.

A score must lie on the criterion's scale (``scale_min`` … ``scale_max``) and on its step
(a scale 0–10 with step 0.5 accepts 7.5, rejects 7.3). The step check runs in ``Decimal`` on the
decimal text of the number, so 0.3 on a 0.1 step is accepted although ``0.3 / 0.1`` is
2.9999999999999996 in binary floating point. Dutch forms may send a decimal comma ("7,5").

A submitted score needs a written motivation of at least ``MIN_MOTIVATION_LENGTH`` characters
(after trimming whitespace). Why: the jury's reasoning must be checkable afterwards (a Dutch court
annulled a subsidy decision in 2021 because it was not, see PRODUCT.md); a motivation shorter than
one short sentence cannot carry a reason. Drafts may be saved without a motivation.

The score is parsed once, here, into the ``Decimal`` that is stored: exactly, on the criterion's
step, with the step's number of decimals ("5.000" on a step of 1 is stored and audited as 5).
Text longer than ``MAX_SCORE_TEXT`` characters or with an exponent beyond ``MAX_SCORE_EXPONENT``
is refused rather than rounded: ``Decimal`` arithmetic in the default context would round
"5.00000000000000000000000000001" to 5 and "1e-999999999" to 0 and so accept values that differ
from what was sent.

Pure Python: the web layer maps :class:`InvalidScore` to a 400 with ``{"field", "message"}``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

#: Minimum length of a motivation in characters, after trimming. Our own choice (not in the
#: sources): about one short sentence ("Sterke schaalbaarheid naar 12 gemeenten.").
MIN_MOTIVATION_LENGTH = 20

#: Longest score text accepted (characters) and the largest decimal exponent, up or down: far
#: beyond any real scale (the stored column has 10 digits, 4 after the point) and any float's
#: shortest text (17 digits), small enough that
#: the step check below is exact.
MAX_SCORE_TEXT = 32
MAX_SCORE_EXPONENT = 24


class InvalidField(Exception):
    """Bad input in one named field: the base of the jury modules' input errors.

    The app answers 400 with ``to_dict()`` (``{"field", "message", "message_nl"}``, the shape of
    :class:`evaluation.calls.FieldError`) and shows the message beside the form field.
    """

    def __init__(self, field: str, message: str, message_nl: str | None = None) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.message_nl = message_nl or message

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "message_nl": self.message_nl}


class InvalidScore(InvalidField):
    """A score or motivation the form must reject; ``field`` is "score" or "motivation"."""


class InvalidCriterion(InvalidField):
    """A criterion whose scale, step, weight or threshold does not make sense."""


def to_decimal(value: Any) -> Decimal:
    """Exact decimal of a number or numeric text ("7,5" accepted).

    Raises ``ValueError`` for text that is not a number or a non-finite value, ``TypeError`` for
    other types (booleans included).

    Floats go through ``repr`` (shortest round-trip text), so ``0.1`` becomes ``Decimal("0.1")``.
    """
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, Decimal):
        dec = value
    elif isinstance(value, int):
        dec = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        dec = Decimal(repr(value))
    elif isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            dec = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a number") from None
    else:
        raise TypeError(f"{value!r} is not a number")
    if not dec.is_finite():
        raise ValueError("not a finite number")
    return dec


@dataclass(frozen=True)
class Criterion:
    """An evaluation criterion of a call, as the jury modules need it.

    ``weight`` multiplies the score in the weighted total (ranking). ``threshold`` is the minimum
    score (consensus, or provisional mean) an application needs on this criterion to be fundable;
    None means no threshold. Scale bounds, step and threshold are in score points.
    """

    code: str
    weight: float = 1.0
    scale_min: float = 0
    scale_max: float = 10
    scale_step: float = 1
    threshold: float | None = None

    def __post_init__(self) -> None:
        lo, hi, step = (to_decimal(v) for v in (self.scale_min, self.scale_max, self.scale_step))
        if not self.code:
            raise InvalidCriterion("code", "a criterion needs a code")
        if hi <= lo:
            raise InvalidCriterion("scale_max", "scale_max must be above scale_min")
        if step <= 0:
            raise InvalidCriterion("scale_step", "scale_step must be positive")
        if (hi - lo) % step != 0:
            raise InvalidCriterion("scale_step", "the scale range must be a whole number of steps")
        if to_decimal(self.weight) < 0:
            raise InvalidCriterion("weight", "weight must not be negative")
        if self.threshold is not None and not lo <= to_decimal(self.threshold) <= hi:
            raise InvalidCriterion("threshold", "threshold must lie on the scale")

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "weight": self.weight,
            "scale_min": self.scale_min,
            "scale_max": self.scale_max,
            "scale_step": self.scale_step,
            "threshold": self.threshold,
        }


@dataclass(frozen=True)
class ValidScore:
    """A validated score: exact decimal value (None only in a draft) and trimmed motivation."""

    score: Decimal | None
    motivation: str


def validate_score_value(criterion: Criterion, score: Any) -> Decimal:
    """The score as the exact ``Decimal`` to store: on the scale, on its step, with the step's
    number of decimals. Off-step values, too many digits and absurd exponents raise."""
    try:
        value = to_decimal(score)
    except (TypeError, ValueError):
        raise InvalidScore("score", "the score must be a number", "de score moet een getal zijn") from None
    exponent = value.as_tuple().exponent
    if (isinstance(score, str) and len(score.strip()) > MAX_SCORE_TEXT) or len(value.as_tuple().digits) > MAX_SCORE_TEXT \
            or not -MAX_SCORE_EXPONENT <= exponent <= MAX_SCORE_EXPONENT:
        raise InvalidScore("score", "the score has too many digits or an absurd exponent",
                           "de score heeft te veel cijfers of een absurde exponent")
    lo = to_decimal(criterion.scale_min)
    hi = to_decimal(criterion.scale_max)
    step = to_decimal(criterion.scale_step)
    with localcontext() as ctx:  # enough digits for every bounded value: exact arithmetic
        ctx.prec = 4 * (MAX_SCORE_TEXT + MAX_SCORE_EXPONENT)
        if not lo <= value <= hi:
            raise InvalidScore(
                "score",
                f"the score must lie between {lo} and {hi}",
                f"de score moet tussen {lo} en {hi} liggen",
            )
        if (value - lo) % step != 0:
            if step == 1 and lo % 1 == 0 and hi % 1 == 0:  # the common case, said plainly
                a, b = (format(v.normalize(), "f") for v in (lo, hi))
                raise InvalidScore("score",
                                   f"the score must be a whole number from {a} to {b} "
                                   "(a multiple of 1)",
                                   f"de score moet een geheel getal van {a} tot {b} zijn")
            raise InvalidScore(
                "score",
                f"the score must be a multiple of {step} from {lo}",
                f"de score moet een veelvoud van {step} zijn vanaf {lo}".replace(".", ","),
            )
        places = min(0, step.normalize().as_tuple().exponent, lo.normalize().as_tuple().exponent)
        return value.quantize(Decimal(1).scaleb(places)) + 0  # + 0: no "-0"


def validate_motivation(motivation: Any) -> str:
    """The trimmed motivation if it has at least ``MIN_MOTIVATION_LENGTH`` characters."""
    text = motivation.strip() if isinstance(motivation, str) else ""
    if not text:
        raise InvalidScore("motivation", "a motivation is required", "een motivering is verplicht")
    if len(text) < MIN_MOTIVATION_LENGTH:
        raise InvalidScore(
            "motivation",
            f"the motivation must have at least {MIN_MOTIVATION_LENGTH} characters",
            f"de motivering moet minstens {MIN_MOTIVATION_LENGTH} tekens hebben",
        )
    return text


def validate_score(
    criterion: Criterion, score: Any, motivation: Any, *, draft: bool = False
) -> ValidScore:
    """Check a juror's score or the chair's consensus score on one criterion.

    ``draft=True`` (a saved, not yet submitted score) accepts a missing score and a short or empty
    motivation, but a score that is given must still be valid. Raises :class:`InvalidScore`.
    """
    if draft:
        value = None if score is None or score == "" else validate_score_value(criterion, score)
        text = motivation.strip() if isinstance(motivation, str) else ""
        return ValidScore(value, text)
    if score is None or score == "":
        raise InvalidScore("score", "a score is required", "een score is verplicht")
    return ValidScore(validate_score_value(criterion, score), validate_motivation(motivation))
