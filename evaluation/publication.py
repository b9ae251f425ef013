"""When a call's results may be published, and which selection is published.

**Completeness.** Publication is refused while anything the decision rests on is missing
(:func:`publication_blockers`), each reported with the application, juror and criterion it
concerns:

* ``missing_score``: an assigned juror has not submitted a score on a criterion of an
  application that is with the jury (and no consensus covers that criterion);
* ``open_disagreement``: the jurors' scores on a criterion spread more than the call allows and
  the chair has not recorded a consensus;
* ``unreconfirmed_amendment``: the secretariat amended the application after scoring and an
  assigned juror has not reconfirmed their scores since.

**Selection rule.** A call announces which selection it publishes (:data:`SELECTION_RULES`):
``rank-order`` (the default: fund down the ranking until the budget runs out, the greedy baseline
of :mod:`evaluation.selection`) or ``optimal`` (the budget-optimal set). The optimal set can pass
over a higher-ranked application, which is defensible only when the call's rules announce it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from evaluation.selection_result import Funding, Selection

#: The selections a call can publish; the first is the default.
SELECTION_RULES: tuple[str, ...] = ("rank-order", "optimal")

SELECTION_RULE_TEXTS: dict[str, dict[str, str]] = {
    "rank-order": {
        "en": "rank order: fund down the ranking until the budget runs out",
        "nl": "rangorde: financier van boven naar beneden in de rangschikking tot het budget op is",
    },
    "optimal": {
        "en": "optimal: the set with the highest total score within the budget (announced in the "
        "call); it can pass over a higher-ranked application",
        "nl": "optimaal: de set met de hoogste totaalscore binnen het budget (aangekondigd in de "
        "oproep); die kan een hoger gerangschikte aanvraag overslaan",
    },
}


def published_funding(selection: Selection, rule: str) -> Funding:
    """The funding the call publishes under its rule (``rank-order`` or ``optimal``)."""
    if rule not in SELECTION_RULES:
        raise ValueError(f"unknown selection rule {rule!r}; rules: {', '.join(SELECTION_RULES)}")
    return selection.greedy if rule == "rank-order" else selection.optimal


@dataclass(frozen=True)
class Blocker:
    """One thing that keeps a call from being published."""

    code: str  # missing_score | open_disagreement | unreconfirmed_amendment
    application_id: int
    juror_id: int | None
    criterion: str | None
    message: str
    message_nl: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "application": self.application_id,
            "juror": self.juror_id,
            "criterion": self.criterion,
            "message": self.message,
            "message_nl": self.message_nl,
        }


def publication_blockers(
    *,
    applications: Iterable[int],
    criteria: Sequence[str],
    assignments: Iterable[tuple[int, int]],
    submitted: Iterable[tuple[int, int, str]],
    disagreements: Iterable[tuple[int, str]],
    consensus: Iterable[tuple[int, str]],
    unreconfirmed: Iterable[tuple[int, int]] = (),
) -> tuple[Blocker, ...]:
    """Everything missing before publication, by application, then juror, then criterion.

    ``applications``: ids with the jury (eligible, submitted); ``assignments``: (application,
    juror) pairs; ``submitted``: (application, juror, criterion) of submitted scores;
    ``disagreements``: (application, criterion) flagged; ``consensus``: (application, criterion)
    recorded by the chair; ``unreconfirmed``: (application, juror) pairs whose scores wait for a
    reconfirmation after an amendment. A consensus on a criterion settles both its missing scores
    and its disagreement.
    """
    apps = sorted(set(applications))
    wanted = set(apps)
    jurors: dict[int, list[int]] = {}
    for app, juror in sorted(set(assignments)):
        if app in wanted:
            jurors.setdefault(app, []).append(juror)
    have = set(submitted)
    settled = set(consensus)
    out: list[Blocker] = []
    for app in apps:
        for juror in jurors.get(app, []):
            for code in criteria:
                if (app, juror, code) not in have and (app, code) not in settled:
                    out.append(
                        Blocker(
                            "missing_score",
                            app,
                            juror,
                            code,
                            f"application {app}: juror {juror} has no submitted score on {code}",
                            f"aanvraag {app}: jurylid {juror} heeft geen ingediende score op {code}",
                        )
                    )
    for app, code in sorted(set(disagreements) - settled):
        if app in wanted:
            out.append(
                Blocker(
                    "open_disagreement",
                    app,
                    None,
                    code,
                    f"application {app}: the disagreement on {code} has no consensus",
                    f"aanvraag {app}: de onenigheid over {code} heeft geen consensus",
                )
            )
    for app, juror in sorted(set(unreconfirmed)):
        if app in wanted:
            out.append(
                Blocker(
                    "unreconfirmed_amendment",
                    app,
                    juror,
                    None,
                    f"application {app} was amended; juror {juror} has not reconfirmed the scores",
                    f"aanvraag {app} werd gewijzigd; jurylid {juror} heeft de scores niet herbevestigd",
                )
            )
    order = {"missing_score": 0, "open_disagreement": 1, "unreconfirmed_amendment": 2}
    out.sort(key=lambda b: (b.application_id, order[b.code], b.juror_id or 0, b.criterion or ""))
    return tuple(out)
