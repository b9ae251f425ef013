"""Experience and maturity of a municipality per focus domain, with the components that explain it.

The one formula (see ``docs/matching.md``): the experience of municipality *m* in domain *d* in
year *Y* is the sum over the projects *p* of *d* that *m* took part in, started in or before *Y*,
of

    role_weight(role) x evidence(level) x recency(age) x scale(grant) x adoption(adopters, deliverables)

* ``role_weight``: lead > partner > follower > adopter (:class:`MatchingWeights`);
* ``evidence``: how sure we are of the participation in the domain, by its evidence level
  (verified, source-stated, source-classified, declared; ``MatchingWeights.evidence_*``);
* ``recency = 0.5 ** (age_years / half_life)`` with ``age_years = Y - project.year``;
* ``scale = clip(1 + per_doubling x log2(grant / reference grant))``; unknown grant -> neutral 1;
* ``adoption = 1 + per_other x min(adopters, cap) + per_deliverable x reusable deliverables`` for
  the builders (lead, partner); 1 for followers and adopters (they reused, others built).

A project in two domains counts fully in both. Every weight lives in :class:`MatchingWeights`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from matching.registry import DELIVERABLES, DOMAINS, EVIDENCE_LEVELS, ROLES
from matching.weights import DEFAULT_WEIGHTS, MatchingWeights

if TYPE_CHECKING:
    from matching.graph import RegistryGraph

#: Maturity classes, strongest first.
MATURITY_CLASSES: tuple[str, ...] = ("lighthouse-ready", "experienced", "starter", "none")

#: Roles whose municipality built the result, and so gets credit when others adopt it.
BUILDER_ROLES: frozenset[str] = frozenset({"lead", "partner"})
#: Roles that show somebody else's result was taken up.
ADOPTING_ROLES: frozenset[str] = frozenset({"follower", "adopter"})


@dataclass(frozen=True)
class ProjectExperience:
    """One project's contribution to a municipality's experience, with every factor.

    ``contribution = role_weight x evidence_weight x recency x scale x adoption`` (experience
    points); ``evidence`` is the participation's evidence level.
    """

    project_id: int
    title: str
    year: int
    role: str
    age_years: int
    role_weight: float
    evidence: str
    evidence_weight: float
    recency: float
    grant_cents: int | None
    scale: float
    adopters: int
    reusable_deliverables: int
    adoption: float
    contribution: float


@dataclass(frozen=True)
class ExperienceFactors:
    """The score split per factor, in the fixed order role -> evidence -> recency -> scale ->
    adoption.

    ``role`` is the sum of the role weights; ``evidence`` what the evidence levels took off
    that (<= 0); ``recency`` what the age decay changed after that (<= 0); ``scale`` what the
    grant size changed after that; ``adoption`` what adoption evidence added last. They add up
    to the score (to floating-point rounding).
    """

    role: float
    evidence: float
    recency: float
    scale: float
    adoption: float


@dataclass(frozen=True)
class DomainExperience:
    """Experience of one municipality in one domain."""

    domain: str
    score: float
    maturity: str
    factors: ExperienceFactors
    projects: tuple[ProjectExperience, ...]
    projects_by_role: dict[str, int]
    projects_by_evidence: dict[str, int]
    """How many of the projects stand on each evidence level (:data:`EVIDENCE_LEVELS`)."""
    first_year: int | None


@dataclass(frozen=True)
class MunicipalityProfile:
    """Experience and maturity of a municipality in every domain (in :data:`DOMAINS` order)."""

    refnis: str
    name: str
    as_of_year: int
    domains: tuple[DomainExperience, ...]

    def domain(self, code: str) -> DomainExperience:
        """The entry of domain ``code``."""
        for entry in self.domains:
            if entry.domain == code:
                return entry
        raise KeyError(code)


def scale_factor(grant_cents: int | None, weights: MatchingWeights = DEFAULT_WEIGHTS) -> float:
    """Scale factor of a project from its grant in euro cents (None: unknown -> neutral)."""
    if grant_cents is None:
        return weights.scale_unknown
    if grant_cents <= 0:
        return weights.scale_min
    raw = 1.0 + weights.scale_per_doubling * math.log2(grant_cents / weights.reference_grant_cents)
    return min(weights.scale_max, max(weights.scale_min, raw))


def recency_factor(age_years: int, weights: MatchingWeights = DEFAULT_WEIGHTS) -> float:
    """Recency decay of a project ``age_years`` old: halves every half-life."""
    return 0.5 ** (max(0, age_years) / weights.recency_half_life_years)


def adoption_factor(
    role: str, adopters: int, reusable_deliverables: int, weights: MatchingWeights = DEFAULT_WEIGHTS
) -> float:
    """Adoption evidence factor (>= 1) for a municipality with ``role`` in a project.

    ``adopters``: other municipalities with role follower/adopter in the project;
    ``reusable_deliverables``: how many deliverable flags the project carries.
    """
    if role not in BUILDER_ROLES:
        return 1.0
    return (
        1.0
        + weights.adoption_per_other * min(adopters, weights.adoption_others_cap)
        + weights.adoption_per_deliverable * reusable_deliverables
    )


def experience_factors(
    role: str,
    age_years: int,
    grant_cents: int | None,
    adopters: int,
    reusable_deliverables: int,
    weights: MatchingWeights = DEFAULT_WEIGHTS,
    evidence: str = "source-stated",
) -> tuple[float, float, float, float, float, float]:
    """THE experience formula for one project, as plain floats (the graph build calls it per
    participation): ``(role_weight, evidence_weight, recency, scale, adoption, contribution)``
    with ``contribution = role_weight x evidence_weight x recency x scale x adoption`` in
    experience points."""
    role_weight = weights.role_weight(role)
    evidence_weight = weights.evidence_weight(evidence)
    recency = recency_factor(age_years, weights)
    scale = scale_factor(grant_cents, weights)
    adoption = adoption_factor(role, adopters, reusable_deliverables, weights)
    contribution = role_weight * evidence_weight * recency * scale * adoption
    return role_weight, evidence_weight, recency, scale, adoption, contribution


def reusable_count(deliverables: frozenset[str] | set[str] | tuple[str, ...]) -> int:
    """How many of the project's deliverable flags are reusable deliverables."""
    return sum(1 for d in deliverables if d in DELIVERABLES)


def project_experience(
    *,
    project_id: int,
    title: str,
    year: int,
    role: str,
    as_of_year: int,
    grant_cents: int | None,
    adopters: int,
    deliverables: frozenset[str] | set[str] | tuple[str, ...],
    weights: MatchingWeights = DEFAULT_WEIGHTS,
    evidence: str = "source-stated",
) -> ProjectExperience:
    """One project's contribution with every component (:func:`experience_factors`)."""
    age = max(0, as_of_year - year)
    reusable = reusable_count(deliverables)
    role_weight, evidence_weight, recency, scale, adoption, contribution = experience_factors(
        role, age, grant_cents, adopters, reusable, weights, evidence
    )
    return ProjectExperience(
        project_id=project_id,
        title=title,
        year=year,
        role=role,
        age_years=age,
        role_weight=role_weight,
        evidence=evidence,
        evidence_weight=evidence_weight,
        recency=recency,
        grant_cents=grant_cents,
        scale=scale,
        adopters=adopters,
        reusable_deliverables=reusable,
        adoption=adoption,
        contribution=contribution,
    )


def maturity_class(
    score: float, lead_count: int, weights: MatchingWeights = DEFAULT_WEIGHTS
) -> str:
    """Maturity class from the experience score and the number of led projects in the domain."""
    if (
        score >= weights.lighthouse_ready_min_score
        and lead_count >= weights.lighthouse_ready_min_leads
    ):
        return "lighthouse-ready"
    if score >= weights.experienced_min_score:
        return "experienced"
    if score > 0:
        return "starter"
    return "none"


def _factors(projects: tuple[ProjectExperience, ...]) -> ExperienceFactors:
    role = evidence = recency = scale = adoption = 0.0
    for p in projects:
        after_evidence = p.role_weight * p.evidence_weight
        after_recency = after_evidence * p.recency
        after_scale = after_recency * p.scale
        role += p.role_weight
        evidence += after_evidence - p.role_weight
        recency += after_recency - after_evidence
        scale += after_scale - after_recency
        adoption += p.contribution - after_scale
    return ExperienceFactors(
        role=role, evidence=evidence, recency=recency, scale=scale, adoption=adoption
    )


def domain_experience(
    domain: str, projects: tuple[ProjectExperience, ...], weights: MatchingWeights = DEFAULT_WEIGHTS
) -> DomainExperience:
    """Aggregate the project contributions of one domain into score, maturity and counts."""
    ordered = tuple(sorted(projects, key=lambda p: (p.year, p.project_id)))
    score = math.fsum(p.contribution for p in ordered)
    by_role = {role: sum(1 for p in ordered if p.role == role) for role in ROLES}
    by_evidence = {level: sum(1 for p in ordered if p.evidence == level)
                   for level in EVIDENCE_LEVELS}
    return DomainExperience(
        domain=domain,
        score=score,
        maturity=maturity_class(score, by_role["lead"], weights),
        factors=_factors(ordered),
        projects=ordered,
        projects_by_role=by_role,
        projects_by_evidence=by_evidence,
        first_year=ordered[0].year if ordered else None,
    )


def profile(
    graph: RegistryGraph, refnis: str, as_of_year: int | None = None
) -> MunicipalityProfile:
    """Experience and maturity per domain of ``refnis`` in ``as_of_year`` (default: the graph's).

    Projects that start after ``as_of_year`` do not count yet. Raises
    :class:`matching.graph.UnknownMunicipality` for a REFNIS code not in the registry.
    """
    year = graph.as_of_year if as_of_year is None else as_of_year
    municipality = graph.municipality(refnis)
    per_domain: dict[str, list[ProjectExperience]] = {d: [] for d in DOMAINS}
    for project, role in graph.participations_of(refnis):
        if project.year > year:
            continue
        evidence = graph.evidence_of(project.id, refnis)
        item = project_experience(
            project_id=project.id,
            title=project.title,
            year=project.year,
            role=role,
            as_of_year=year,
            grant_cents=project.grant_cents,
            adopters=graph.adopters_of(project.id, excluding=refnis),
            deliverables=project.deliverables,
            weights=graph.weights,
            evidence=evidence,
        )
        for domain in project.domains:
            per_domain[domain].append(item)
    return MunicipalityProfile(
        refnis=refnis,
        name=municipality.name_nl,
        as_of_year=year,
        domains=tuple(
            domain_experience(d, tuple(per_domain[d]), graph.weights) for d in DOMAINS
        ),
    )
