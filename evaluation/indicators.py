"""Advisory leverage (hefboomeffect) and scalability (opschaalbaarheid) indicators, 0-100.

The concept note (seed 000, 5.1) says City of Things applications "worden beoordeeld op basis van
hun hefboomeffect en de mate waarin het project in andere steden en gemeentes kan worden
uitgerold". These indicators give jurors a transparent first reading of both; they never replace
the jury's score. Each indicator is a weighted sum of components, every component a value in
0..1 with a sentence of explanation:

    contribution_i = 100 * weight_i / sum(weights) * value_i        score = sum(contribution_i)

so the contributions add up to the score exactly. All tuning numbers live in
:class:`IndicatorWeights`; ``docs/indicators.md`` gives each one with its source sentence or marks
it as our own choice.

Inputs are plain data built once per call in :class:`IndicatorContext`: the municipalities, the
experience score per (REFNIS, domain) (0 = none, any scale), distances in km (a callable or a
matrix), the known prior projects and the other applications of the call (reach is relative).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from evaluation import money
from evaluation.applications import Application
from evaluation.calls import VGC, Criterion, FieldError, InvalidInput
from matching.registry import DOMAINS, Municipality, Project

DOMAIN_NAMES_NL = {
    "mobility": "mobiliteit",
    "environment": "omgeving",
    "living": "wonen en leven",
    "people": "mensen",
    "governance": "bestuur",
    "economy": "economie",
}

OPENNESS_ITEMS: tuple[str, ...] = (
    "oslo",
    "vloca",
    "open_source",
    "open_data",
    "playbook",
    "model_specification",
)
_OPENNESS_NL = {
    "oslo": "OSLO",
    "vloca": "VLOCA",
    "open_source": "open source",
    "open_data": "open data",
    "playbook": "draaiboek",
    "model_specification": "voorbeeldbestek",
}
_OPENNESS_EN = {
    "oslo": "OSLO",
    "vloca": "VLOCA",
    "open_source": "open source",
    "open_data": "open data",
    "playbook": "playbook",
    "model_specification": "model specification",
}


class InvalidIndicatorWeights(InvalidInput):
    """A tuning weight is negative, not a number, or a group of weights sums to 0."""


@dataclass(frozen=True)
class IndicatorWeights:
    """Every tuning number of the two indicators, in one place (``asdict`` for the API).

    Component weights are relative within their indicator. Numbers marked *ours* in
    ``docs/indicators.md`` are our tuning, not a source figure.
    """

    # Leverage components (ours).
    leverage_financial: float = 0.30
    leverage_reach: float = 0.20
    leverage_multiplier: float = 0.35
    leverage_reuse: float = 0.15
    #: Co-financing share of the total budget (0..1) that earns the full financial component.
    financial_full_cofinancing_share: float = 0.5
    #: Committed followers that earn the full multiplier component.
    multiplier_full_followers: int = 5
    #: Part of the multiplier that depends on the share of small followers (0..1).
    multiplier_small_share_weight: float = 0.5
    #: Known prior projects that earn the full reuse component.
    reuse_full_prior_projects: int = 2
    #: Grant below which reach is computed as if it were this amount (avoids division by zero).
    reach_min_grant_cents: int = 100

    # Scalability components (ours).
    scalability_adoption: float = 0.35
    scalability_openness: float = 0.30
    scalability_maturity: float = 0.15
    scalability_diversity: float = 0.20
    #: Distance (km) over which the pull of the cluster on a municipality falls by a factor e.
    adoption_distance_scale_km: float = 20.0
    #: Regions whose municipalities are potential adopters.
    adoption_regions: tuple[str, ...] = ("flanders",)
    # Openness items (relative, ours; sources: 000 5.1, 004 L824, 002 slide 19).
    openness_oslo: float = 1.0
    openness_vloca: float = 1.0
    openness_open_source: float = 1.0
    openness_open_data: float = 1.0
    openness_playbook: float = 1.0
    openness_model_specification: float = 1.0
    #: Maturity value of a prior project by its status (others count 0).
    maturity_status_values: tuple[tuple[str, float], ...] = (("completed", 1.0), ("running", 0.5))
    #: Diversity: weight of "large and small together" vs "provinces spanned" (ours).
    diversity_mix_weight: float = 0.5
    diversity_provinces_weight: float = 0.5
    #: Provinces spanned that earn the full provinces part.
    diversity_full_provinces: int = 3
    #: Small up to this population (004 L296: large is > 50,000 inhabitants); see is_small_or_rural.
    small_population_max: int = 50_000

    def __post_init__(self) -> None:
        errors: list[FieldError] = []
        for f in fields(self):
            value = getattr(self, f.name)
            is_number = isinstance(value, (int, float)) and not isinstance(value, bool)
            if is_number and (not math.isfinite(value) or value < 0):
                errors.append(
                    FieldError(f.name, "must be a number of at least 0", "moet een getal ≥ 0 zijn")
                )
        groups = {
            "leverage": (
                self.leverage_financial,
                self.leverage_reach,
                self.leverage_multiplier,
                self.leverage_reuse,
            ),
            "scalability": (
                self.scalability_adoption,
                self.scalability_openness,
                self.scalability_maturity,
                self.scalability_diversity,
            ),
            "openness": tuple(self.openness(item) for item in OPENNESS_ITEMS),
            "diversity": (self.diversity_mix_weight, self.diversity_provinces_weight),
        }
        for name, values in groups.items():
            if sum(v for v in values if isinstance(v, (int, float)) and v > 0) <= 0:
                errors.append(
                    FieldError(
                        name,
                        "weights must sum to more than 0",
                        "gewichten moeten samen meer dan 0 zijn",
                    )
                )
        for name in ("multiplier_full_followers", "reuse_full_prior_projects"):
            if getattr(self, name) < 1:
                errors.append(FieldError(name, "must be at least 1", "moet minstens 1 zijn"))
        if self.diversity_full_provinces < 2:
            errors.append(
                FieldError("diversity_full_provinces", "must be at least 2", "moet minstens 2 zijn")
            )
        for name in ("financial_full_cofinancing_share", "adoption_distance_scale_km"):
            if not getattr(self, name) > 0:
                errors.append(FieldError(name, "must be above 0", "moet groter dan 0 zijn"))
        if not 0 <= self.multiplier_small_share_weight <= 1:
            errors.append(
                FieldError(
                    "multiplier_small_share_weight", "must lie in 0..1", "moet tussen 0 en 1 liggen"
                )
            )
        if errors:
            raise InvalidIndicatorWeights(errors)

    def openness(self, item: str) -> float:
        return float(getattr(self, f"openness_{item}"))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


DEFAULT_WEIGHTS = IndicatorWeights()


@dataclass(frozen=True)
class Component:
    """One part of an indicator. ``value`` in 0..1; ``contribution`` in points of the 0-100 score.

    ``raw`` is the underlying figure in ``unit`` (e.g. 1.25 "euro budget per euro grant");
    ``share`` is contribution / score (0 when the score is 0); ``max_contribution`` the points
    the component gives at value 1.
    """

    code: str
    name_nl: str
    name_en: str
    value: float
    raw: float | None
    unit: str
    weight: float
    max_contribution: float
    contribution: float
    share: float
    explanation_nl: str
    explanation_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.code,
            "label_nl": self.name_nl,
            "label_en": self.name_en,
            "value": round(self.value, 4),
            "raw": None if self.raw is None else round(self.raw, 4),
            "unit": self.unit,
            "weight": self.weight,
            "max_contribution": round(self.max_contribution, 2),
            "contribution": round(self.contribution, 2),
            "share": round(self.share, 4),
            "explanation": self.explanation_nl,
            "explanation_nl": self.explanation_nl,
            "explanation_en": self.explanation_en,
        }


@dataclass(frozen=True)
class Indicator:
    """An indicator score 0-100 with the components it is the sum of."""

    name: str
    score: float
    components: tuple[Component, ...]

    def component(self, code: str) -> Component:
        for c in self.components:
            if c.code == code:
                return c
        raise KeyError(code)

    def on_scale(self, criterion: Criterion) -> float:
        """The score mapped linearly onto the criterion's scale and snapped to its step."""
        span = criterion.scale_max - criterion.scale_min
        return criterion.snap(criterion.scale_min + self.score / 100.0 * span)

    def to_dict(self) -> dict[str, Any]:
        comps = [c.to_dict() for c in self.components]
        # The score shown is the sum of the rounded contributions, so the bars add up on screen.
        return {
            "name": self.name,
            "score": round(sum(c["contribution"] for c in comps), 2),
            "components": comps,
        }


@dataclass(frozen=True)
class Indicators:
    """Both indicators of one application."""

    leverage: Indicator
    scalability: Indicator

    def get(self, name: str) -> Indicator:
        if name == "leverage":
            return self.leverage
        if name == "scalability":
            return self.scalability
        raise KeyError(name)

    def on_scales(self, criteria: Iterable[Criterion]) -> dict[str, float]:
        """Criterion code -> indicator score on that criterion's scale, for linked criteria."""
        return {c.code: self.get(c.indicator).on_scale(c) for c in criteria if c.indicator}

    def to_dict(self, criteria: Iterable[Criterion] = ()) -> dict[str, Any]:
        d: dict[str, Any] = {
            "leverage": self.leverage.to_dict(),
            "scalability": self.scalability.to_dict(),
        }
        criteria = list(criteria)
        if criteria:
            d["on_scale"] = self.on_scales(criteria)
        return d


class IndicatorContext:
    """Everything the indicators need besides the application, prepared once per call.

    - ``municipalities``: REFNIS -> current :class:`Municipality` (or an iterable of them).
    - ``experience``: (REFNIS, domain) -> experience score, any non-negative scale, 0 = none.
      Need in a domain is ``1 - experience / highest experience in that domain``.
    - ``distance_km``: a callable ``(refnis_a, refnis_b) -> km`` or a square matrix in the order
      of ``municipalities``.
    - ``projects``: prior projects by id (reuse and maturity); None = none known.
    - ``call_applications``: the call's applications, for the relative reach.
    - ``stand_ins``: REFNIS to locate a non-municipal member at; by default the VGC is placed at
      the City of Brussels (21004) for distances (our interpretation; it adds no inhabitants).
    """

    def __init__(
        self,
        municipalities: Mapping[str, Municipality] | Iterable[Municipality],
        *,
        distance_km: Callable[[str, str], float] | np.ndarray,
        experience: Mapping[tuple[str, str], float] | None = None,
        projects: Mapping[int, Project] | None = None,
        call_applications: Sequence[Application] = (),
        weights: IndicatorWeights = DEFAULT_WEIGHTS,
        stand_ins: Mapping[str, str] | None = None,
    ) -> None:
        if isinstance(municipalities, Mapping):
            self.municipalities: dict[str, Municipality] = dict(municipalities)
        else:
            self.municipalities = {m.refnis: m for m in municipalities}
        self.codes: tuple[str, ...] = tuple(self.municipalities)
        self.index = {code: i for i, code in enumerate(self.codes)}
        n = len(self.codes)
        ms = [self.municipalities[c] for c in self.codes]
        self.population = np.array([m.population for m in ms], dtype=float)
        self.in_scope = np.array([m.region in weights.adoption_regions for m in ms], dtype=bool)
        self.weights = weights
        self.projects = projects
        self.call_applications = tuple(call_applications)
        self.stand_ins = dict(stand_ins) if stand_ins is not None else {VGC: "21004"}

        if callable(distance_km):
            dist = np.zeros((n, n))
            for i in range(n):
                for j in range(i + 1, n):
                    dist[i, j] = dist[j, i] = distance_km(self.codes[i], self.codes[j])
        else:
            dist = np.asarray(distance_km, dtype=float)
            if dist.shape != (n, n):
                raise ValueError(f"distance matrix must be {n}x{n}, got {dist.shape}")
        self.distances = dist

        experience = experience or {}
        self.need: dict[str, np.ndarray] = {}
        for d in DOMAINS:
            exp = np.array([max(0.0, float(experience.get((c, d), 0.0))) for c in self.codes])
            top = float(exp.max()) if n else 0.0
            self.need[d] = 1.0 - exp / top if top > 0 else np.ones(n)
        self._max_reach: float | None = None

    # -- helpers ------------------------------------------------------------------------------

    def locate(self, refnis: str) -> int | None:
        """Matrix index for a member (stand-ins applied), None when it has no location."""
        i = self.index.get(refnis)
        if i is None and refnis in self.stand_ins:
            i = self.index.get(self.stand_ins[refnis])
        return i

    def people(self, refnis: str) -> int:
        """Inhabitants of a member; stand-ins and unknown codes add none."""
        m = self.municipalities.get(refnis)
        return m.population if m else 0

    def reach(self, app: Application) -> float:
        """Inhabitants of the consortium and committed followers per €1,000 of grant."""
        members = dict.fromkeys(app.local_governments + app.committed_followers)
        inhabitants = sum(self.people(r) for r in members)
        grant = max(app.requested_grant_cents, self.weights.reach_min_grant_cents)
        return inhabitants / (grant / 100_000)

    @property
    def max_reach(self) -> float:
        """Highest reach among the call's applications (computed once)."""
        if self._max_reach is None:
            self._max_reach = max((self.reach(a) for a in self.call_applications), default=0.0)
        return self._max_reach

    def need_for(self, domains: Sequence[str]) -> np.ndarray:
        """Need per municipality, averaged over the application's domains (1 without domains)."""
        known = [d for d in domains if d in self.need]
        if not known:
            return np.ones(len(self.codes))
        if len(known) == 1:
            return self.need[known[0]]
        return np.mean([self.need[d] for d in known], axis=0)


# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    code: str
    name_nl: str
    name_en: str
    weight: float
    value: float
    raw: float | None
    unit: str
    nl: str
    en: str


def _indicator(name: str, parts: list[_Part]) -> Indicator:
    total_weight = sum(p.weight for p in parts)
    contributions = [100.0 * p.weight / total_weight * p.value for p in parts]
    score = sum(contributions)
    comps = tuple(
        Component(
            code=p.code,
            name_nl=p.name_nl,
            name_en=p.name_en,
            value=p.value,
            raw=p.raw,
            unit=p.unit,
            weight=p.weight,
            max_contribution=100.0 * p.weight / total_weight,
            contribution=c,
            share=c / score if score > 0 else 0.0,
            explanation_nl=p.nl,
            explanation_en=p.en,
        )
        for p, c in zip(parts, contributions, strict=True)
    )
    return Indicator(name=name, score=score, components=comps)


def _count(n: int, singular: str, plural: str) -> str:
    return f"{n} {singular if n == 1 else plural}"


def is_small_or_rural(m: Municipality, w: IndicatorWeights = DEFAULT_WEIGHTS) -> bool:
    """Small or rural: not a centrumstad, at most 50,000 inhabitants, not in Brussels.

    004 L296 splits small from large (> 50,000 inhabitants) and rural from urban; the registry
    has no area, so rural/urban follows the same reading as ``matching.graph.is_urban``
    (urban = centrumstad, large, or one of the 19 Brussels municipalities). Every municipality
    is either small-or-rural or large-or-urban, never both.
    """
    return not (m.is_centrumstad or m.population > w.small_population_max or m.region == "brussels")


def _financial(app: Application, w: IndicatorWeights) -> _Part:
    total, grant, own = app.total_budget_cents, app.requested_grant_cents, app.own_financing_cents
    share = own / total if total else 0.0
    value = min(1.0, share / w.financial_full_cofinancing_share)
    per_euro = total / grant if grant else None
    full = w.financial_full_cofinancing_share * 100
    if per_euro is None:
        budget_nl, budget_en = money.euro_nl(total), money.euro_en(total)
        nl = f"Het project vraagt geen steun: het budget van {budget_nl} is volledig eigen."
        en = f"The project asks no grant: its budget of {budget_en} is entirely its own."
    else:
        nl = (
            f"Per euro steun brengt het project {money.euro_nl(round(per_euro * 100))} totaal "
            f"budget "
            f"samen (eigen inbreng {money.percent_nl(share * 100)}); de volle score geldt vanaf "
            f"{money.percent_nl(full)} eigen inbreng."
        )
        en = (
            f"Each euro of grant brings {money.euro_en(round(per_euro * 100))} of total budget "
            f"(own share {money.percent_en(share * 100)}); full marks from "
            f"{money.percent_en(full)} own share."
        )
    return _Part(
        "financial",
        "Financiële hefboom",
        "Financial leverage",
        w.leverage_financial,
        value,
        per_euro,
        "euro budget per euro grant",
        nl,
        en,
    )


def _reach(app: Application, ctx: IndicatorContext) -> _Part:
    mine = ctx.reach(app)
    best = max(mine, ctx.max_reach)
    value = mine / best if best > 0 else 0.0
    members = dict.fromkeys(app.local_governments + app.committed_followers)
    inhabitants = sum(ctx.people(r) for r in members)
    nl = (
        f"Consortium en volgsteden tellen {money.number_nl(inhabitants, 0)} inwoners: "
        f"{money.number_nl(mine, 1)} per €1.000 steun, {money.percent_nl(value * 100, 0)} van "
        f"de hoogste waarde in deze oproep."
    )
    en = (
        f"Consortium and followers have {money.number_en(inhabitants, 0)} inhabitants: "
        f"{money.number_en(mine, 1)} per €1,000 of grant, {money.percent_en(value * 100, 0)} of "
        f"the highest in this call."
    )
    return _Part(
        "reach",
        "Bereik",
        "Reach",
        ctx.weights.leverage_reach,
        value,
        mine,
        "inhabitants per €1,000 grant",
        nl,
        en,
    )


def _multiplier(app: Application, ctx: IndicatorContext) -> _Part:
    w = ctx.weights
    followers = [ctx.municipalities[r] for r in app.committed_followers if r in ctx.municipalities]
    n = len(followers)
    small = sum(1 for m in followers if is_small_or_rural(m, w))
    small_share = small / n if n else 0.0
    count_part = min(1.0, n / w.multiplier_full_followers)
    value = count_part * (
        (1 - w.multiplier_small_share_weight) + w.multiplier_small_share_weight * small_share
    )
    nl = (
        f"{_count(n, 'volgstad engageert', 'volgsteden engageren')} zich om de oplossing over "
        f"te nemen, waarvan {small} klein of landelijk (geen centrumstad, tot "
        f"{money.number_nl(w.small_population_max, 0)} inwoners); de volle score geldt vanaf "
        f"{w.multiplier_full_followers} volgsteden die allemaal klein of landelijk zijn."
    )
    en = (
        f"{_count(n, 'follower municipality commits', 'follower municipalities commit')} to "
        f"take the solution over, {small} of them small or rural (no centrumstad, up to "
        f"{money.number_en(w.small_population_max, 0)} inhabitants); full marks from "
        f"{w.multiplier_full_followers} followers that are all small or rural."
    )
    return _Part(
        "multiplier",
        "Multiplicatoreffect",
        "Multiplier",
        w.leverage_multiplier,
        value,
        float(n),
        "committed followers",
        nl,
        en,
    )


def _known_prior(app: Application, ctx: IndicatorContext) -> list[Project]:
    if ctx.projects is None:
        return []
    return [ctx.projects[p] for p in app.prior_projects if p in ctx.projects]


def _reuse(app: Application, ctx: IndicatorContext) -> _Part:
    w = ctx.weights
    known = _known_prior(app, ctx)
    k = len(known)
    value = min(1.0, k / w.reuse_full_prior_projects)
    if known:
        titles = "; ".join(p.title for p in known)
        nl = f"Bouwt voort op {_count(k, 'eerder project', 'eerdere projecten')}: {titles}."
        en = f"Builds on {_count(k, 'earlier project', 'earlier projects')}: {titles}."
    else:
        nl = "Bouwt niet voort op een gekend eerder project."
        en = "Does not build on a known earlier project."
    unknown = len(app.prior_projects) - k
    if unknown:
        listed = _count(unknown, "opgegeven project staat", "opgegeven projecten staan")
        nl += f" {listed} niet in het register."
        en += f" {_count(unknown, 'listed project is', 'listed projects are')} not in the registry."
    return _Part(
        "reuse",
        "Hergebruik van eerdere resultaten",
        "Reuse of earlier results",
        w.leverage_reuse,
        value,
        float(k),
        "prior projects",
        nl,
        en,
    )


def leverage(app: Application, ctx: IndicatorContext) -> Indicator:
    """Leverage 0-100: financial leverage, reach, multiplier and reuse (see docs/indicators.md)."""
    return _indicator(
        "leverage",
        [
            _financial(app, ctx.weights),
            _reach(app, ctx),
            _multiplier(app, ctx),
            _reuse(app, ctx),
        ],
    )


# -- scalability ------------------------------------------------------------------------------


def _adoption(app: Application, ctx: IndicatorContext) -> _Part:
    w = ctx.weights
    consortium = [i for i in (ctx.locate(r) for r in app.local_governments) if i is not None]
    anchors = consortium + [
        i for i in (ctx.locate(r) for r in app.committed_followers) if i is not None
    ]
    need = ctx.need_for(app.domains)
    mask = ctx.in_scope.copy()
    mask[consortium] = False
    weight = ctx.population * need * mask
    denominator = float(weight.sum())
    if anchors and denominator > 0:
        nearest = ctx.distances[anchors].min(axis=0)
        pull = np.exp(-nearest / w.adoption_distance_scale_km)
        value = float((weight * pull).sum()) / denominator
    else:
        value = 0.0
    domains_nl = ", ".join(DOMAIN_NAMES_NL.get(d, d) for d in app.domains) or "het domein"
    domains_en = ", ".join(app.domains) or "the domain"
    nl = (
        f"{money.percent_nl(value * 100, 0)} van de inwoners buiten het consortium met weinig "
        f"ervaring in {domains_nl} woont binnen bereik van het consortium of de volgsteden "
        f"(gewogen naar afstand, {money.number_nl(w.adoption_distance_scale_km, 0)} km schaal)."
    )
    en = (
        f"{money.percent_en(value * 100, 0)} of the inhabitants outside the consortium with little "
        f"experience in {domains_en} live within reach of the consortium or its followers "
        f"(distance-weighted, {money.number_en(w.adoption_distance_scale_km, 0)} km scale)."
    )
    return _Part(
        "adoption",
        "Adoptiepotentieel",
        "Adoption potential",
        w.scalability_adoption,
        value,
        value,
        "share of weighted need within reach",
        nl,
        en,
    )


def _openness(app: Application, w: IndicatorWeights) -> _Part:
    d = app.deliverables
    present = {
        "oslo": bool(d.oslo),
        "vloca": d.vloca,
        "open_source": d.open_source,
        "open_data": d.open_data,
        "playbook": d.playbook,
        "model_specification": d.model_specification,
    }
    total = sum(w.openness(i) for i in OPENNESS_ITEMS)
    value = sum(w.openness(i) for i in OPENNESS_ITEMS if present[i]) / total
    have = [i for i in OPENNESS_ITEMS if present[i]]
    miss = [i for i in OPENNESS_ITEMS if not present[i]]
    nl = (
        f"Aanwezig: {', '.join(_OPENNESS_NL[i] for i in have) or 'niets'}; ontbreekt: "
        f"{', '.join(_OPENNESS_NL[i] for i in miss) or 'niets'}."
    )
    en = (
        f"Present: {', '.join(_OPENNESS_EN[i] for i in have) or 'none'}; missing: "
        f"{', '.join(_OPENNESS_EN[i] for i in miss) or 'none'}."
    )
    return _Part(
        "openness",
        "Interoperabiliteit en openheid",
        "Interoperability and openness",
        w.scalability_openness,
        value,
        float(len(have)),
        "deliverables present",
        nl,
        en,
    )


def _maturity(app: Application, ctx: IndicatorContext) -> _Part:
    w = ctx.weights
    status_value = dict(w.maturity_status_values)
    best_project = max(
        _known_prior(app, ctx), key=lambda p: status_value.get(p.status, 0.0), default=None
    )
    best = status_value.get(best_project.status, 0.0) if best_project else 0.0
    if best_project is None:
        nl = "Bouwt niet voort op een gekend eerder project; de werking is nog niet bewezen."
        en = "Does not build on a known earlier project; it has not yet proven itself."
    else:
        nl = (
            f"Bouwt voort op '{best_project.title}' ({best_project.programme} "
            f"{best_project.year}, status {best_project.status})."
        )
        en = (
            f"Builds on '{best_project.title}' ({best_project.programme} {best_project.year}, "
            f"status {best_project.status})."
        )
    return _Part(
        "maturity",
        "Bewezen maturiteit",
        "Proven maturity",
        w.scalability_maturity,
        best,
        best,
        "status value of the best prior project",
        nl,
        en,
    )


def _diversity(app: Application, ctx: IndicatorContext) -> _Part:
    w = ctx.weights
    members: list[Municipality] = []
    for r in dict.fromkeys(app.local_governments + app.committed_followers):
        i = ctx.locate(r)
        if i is not None:
            members.append(ctx.municipalities[ctx.codes[i]])
    large = [m for m in members if not is_small_or_rural(m, w)]
    small = [m for m in members if is_small_or_rural(m, w)]
    mix = 1.0 if large and small else 0.0
    provinces = {m.province or m.region for m in members}
    p = len(provinces)
    prov_value = min(1.0, max(0, p - 1) / (w.diversity_full_provinces - 1))
    mix_w, prov_w = w.diversity_mix_weight, w.diversity_provinces_weight
    value = (mix_w * mix + prov_w * prov_value) / (mix_w + prov_w)
    urban_nl = _count(len(large), "stedelijke of grote gemeente", "stedelijke of grote gemeenten")
    urban_en = _count(len(large), "urban or large municipality", "urban or large municipalities")
    nl = (
        f"{urban_nl} en "
        f"{_count(len(small), 'kleine of landelijke gemeente', 'kleine of landelijke gemeenten')}"
        f"{', samen' if mix else ', niet samen'}; {_count(p, 'provincie', 'provincies')} "
        f"(volle score vanaf {w.diversity_full_provinces})."
    )
    en = (
        f"{urban_en} and "
        f"{_count(len(small), 'small or rural municipality', 'small or rural municipalities')}"
        f"{', together' if mix else ', not together'}; {_count(p, 'province', 'provinces')} "
        f"(full marks from {w.diversity_full_provinces})."
    )
    return _Part(
        "diversity",
        "Diversiteit van het consortium",
        "Consortium diversity",
        w.scalability_diversity,
        value,
        float(p),
        "provinces spanned",
        nl,
        en,
    )


def scalability(app: Application, ctx: IndicatorContext) -> Indicator:
    """Scalability 0-100: adoption potential, openness, proven maturity, consortium diversity."""
    return _indicator(
        "scalability",
        [
            _adoption(app, ctx),
            _openness(app, ctx.weights),
            _maturity(app, ctx),
            _diversity(app, ctx),
        ],
    )


def compute_indicators(app: Application, ctx: IndicatorContext) -> Indicators:
    """Both indicators for ``app`` in the call described by ``ctx``."""
    return Indicators(leverage=leverage(app, ctx), scalability=scalability(app, ctx))
