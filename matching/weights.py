"""The one named object that holds every tuning weight of the registry graph and partner matching.

Like HotCRP's ``AutoassignerCosts``: the numbers that shape experience, maturity, peer similarity
and partner suggestions live here and nowhere else, so the API can show them (``asdict``) and a
change is one edit. Figures that come from the sources say so with a seed line reference
(``004 L296`` = ``seeds/004_*.txt`` line 296); everything else is **our tuning**, chosen so that
the real registry gives sensible rankings, and documented in ``docs/matching.md``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

_EVIDENCE_FIELDS = {
    "verified": "evidence_verified",
    "source-stated": "evidence_source_stated",
    "source-classified": "evidence_source_classified",
    "declared": "evidence_declared",
}

_ROLE_FIELDS = {
    "lead": "role_lead",
    "partner": "role_partner",
    "follower": "role_follower",
    "adopter": "role_adopter",
}


@dataclass(frozen=True)
class SuggestionWeights:
    """Weights of the five factors of a partner suggestion score in one mode (our tuning).

    Each factor first becomes a term in [0, 1] (see ``docs/matching.md``); its contribution to the
    score is weight x term, and the score is the sum of the contributions. ``lighthouse_load`` is
    a penalty: its contribution is ``-lighthouse_load x term``.
    """

    experience: float
    """Weight of the experience gap term (0 for ``peers``: peers are looked for whatever their
    experience)."""
    proximity: float
    """Weight of the proximity term ``0.5 ** (distance_km / distance_half_km)``."""
    similarity: float
    """Weight of the peer similarity term (type and size, in [0, 1])."""
    ties: float
    """Weight of existing ties: projects done together, ``min(1, shared / ties_saturation)``."""
    lighthouse_load: float
    """Penalty weight for a lighthouse candidate that already leads clusters (a lighthouse
    concentrates on one focus domain, 000 L350-353)."""


def _geographic() -> SuggestionWeights:
    # "Meestal zijn het buurgemeenten" (004 L812): proximity dominates. With these weights a
    # neighbour at 5 km (proximity 0.79) beats a candidate at 40 km (0.16) whatever the
    # experience gap: 0.55 x (0.79 - 0.16) = 0.35 > experience 0.25 + similarity 0.05.
    return SuggestionWeights(
        experience=0.25, proximity=0.55, similarity=0.05, ties=0.15, lighthouse_load=0.20
    )


def _similar() -> SuggestionWeights:
    # "... besturen die bepaalde relevante eigenschappen delen (het type of de grootte)"
    # (004 L812): type and size dominate, distance only breaks near-ties (at most 0.02).
    return SuggestionWeights(
        experience=0.25, proximity=0.02, similarity=0.55, ties=0.15, lighthouse_load=0.20
    )


@dataclass(frozen=True)
class MatchingWeights:
    """Every tuning weight and threshold of experience, maturity, similarity and suggestions.

    Units: years, euro cents, km, inhabitants. ``asdict(weights)`` (or :meth:`as_dict`) is the
    JSON the API shows next to a profile or suggestion list.
    """

    # --- experience per (municipality, domain): one contribution per project -----------------
    role_lead: float = 1.0
    """Role weight of the lead applicant (penvoerder): carries the project (our tuning)."""
    role_partner: float = 0.6
    """Role weight of a partner municipality in the consortium (our tuning)."""
    role_follower: float = 0.4
    """Role weight of a follower that implements a lighthouse's solution (our tuning)."""
    role_adopter: float = 0.25
    """Role weight of an adopter that reused a finished result (our tuning)."""

    evidence_verified: float = 1.0
    """Evidence weight of a participation the secretariat checked (our tuning): full."""
    evidence_source_stated: float = 1.0
    """Evidence weight of a participation a public source states together with the project's
    domain (our tuning): full, the source can be checked by anyone."""
    evidence_source_classified: float = 0.7
    """Evidence weight when a source states the participation but the domain was inferred from
    the title (our tuning): the participation is certain, the domain is our reading of it."""
    evidence_declared: float = 0.5
    """Evidence weight of a participation the city declared and the secretariat has not checked
    yet (our tuning): it counts, at half, until verified or rejected."""

    recency_half_life_years: float = 6.0
    """Experience halves every this many years of project age: ``0.5 ** (age / half_life)``.
    Our tuning: six years is one Belgian municipal legislature, so a project of the previous
    term counts half."""

    reference_grant_cents: int = 20_000_000
    """Grant of a reference-size project: EUR 200,000, the highest City of Things 2017 grant
    (004 Table 19, L2026-2056). A project of this size has scale factor 1."""
    scale_per_doubling: float = 0.25
    """Scale factor change per doubling (or halving) of the grant relative to the reference:
    ``1 + scale_per_doubling x log2(grant / reference)`` (our tuning)."""
    scale_min: float = 0.5
    """Lower clip of the scale factor; also used for a known grant of 0 (our tuning)."""
    scale_max: float = 2.0
    """Upper clip of the scale factor (our tuning; EUR 1M, the CoT 2022 cap, gives 1.58)."""
    scale_unknown: float = 1.0
    """Neutral scale factor of a project whose grant the sources do not give: it counts as a
    reference-size project, neither rewarded nor punished for missing data."""

    adoption_per_other: float = 0.1
    """Adoption bonus per other municipality that followed or adopted the project (roles
    ``follower``/``adopter``); only for the municipalities that built it (lead, partner)."""
    adoption_others_cap: int = 5
    """At most this many adopters count (our tuning: keeps one big roll-out from dominating)."""
    adoption_per_deliverable: float = 0.05
    """Adoption bonus per reusable deliverable flag of the project (playbook, model
    specification, open source, open data, OSLO, VLOCA; 004 L824: "draaiboek",
    "voorbeeldbestekken"; CoT 2022: reusability and open data are cornerstones)."""

    # --- maturity class per domain, from the experience score --------------------------------
    lighthouse_ready_min_score: float = 1.0
    """``lighthouse-ready``: score at least this (one recent reference-size lead project) ..."""
    lighthouse_ready_min_leads: int = 1
    """... and at least this many led projects in the domain (a lighthouse leads)."""
    experienced_min_score: float = 0.5
    """``experienced``: score at least this; below it and above 0: ``starter``; 0: ``none``."""

    # --- peer similarity between two municipalities, in [0, 1] -------------------------------
    small_max_population: int = 50_000
    """Small vs large municipality: large is "> 50.000 inwoners" (004 L296)."""
    large_max_population: int = 100_000
    """Above this: the "more than 100,000 inhabitants" class of the Belgian survey (004 L1419)."""
    similarity_population_class: float = 0.25
    """Similarity weight of the same population class (our tuning; the five weights sum to 1)."""
    similarity_size: float = 0.35
    """Similarity weight of size closeness ``1 / (1 + |log2(pop_a / pop_b)|)`` (1 for the same
    size, 1/2 for twice or half the size, 1/3 for four times): size is what 004 L812 names (our
    tuning; a log scale keeps it discriminating for the smallest and largest municipalities)."""
    similarity_centrumstad: float = 0.15
    """Similarity weight of the same centrumstad status (13 centrumsteden, DOMAIN-FACTS)."""
    similarity_urban: float = 0.20
    """Similarity weight of the same urban/rural type (004 L296; derivation in graph.py):
    type is what 004 L812 names (our tuning)."""
    similarity_province: float = 0.05
    """Similarity weight of the same province (regional cooperation such as Smart Regio Limburg
    and the Vlaams-Brabant Virtuele Centrumsteden, 004 L812-814). Kept small: a larger weight
    turns a ``similar`` search into a search within the province (our tuning)."""

    # --- partner suggestions ----------------------------------------------------------------
    distance_half_km: float = 15.0
    """Proximity term halves every this many km: ``0.5 ** (km / distance_half_km)`` (tuning)."""
    experience_gap_saturation: float = 1.0
    """Experience gap (score points) at which the experience term reaches 1 (our tuning)."""
    ties_saturation: int = 2
    """Number of shared projects at which the ties term reaches 1 (our tuning)."""
    lighthouse_load_saturation: int = 1
    """Clusters already led at which the load penalty is full: a lighthouse concentrates on one
    focus domain (000 L350-353)."""
    coverage_near_km: float = 30.0
    """Coverage of a suggestion list: a nearest qualified candidate farther than this is "far"
    and the answer says so; co-learning peers are looked for within it (our tuning, the radius
    of issue 10's example "none within 30 km")."""
    co_learning_size: int = 5
    """At most this many nearby peers starting in the same domain are offered as a co-learning
    cluster (our tuning)."""
    geographic: SuggestionWeights = field(default_factory=_geographic)
    """Factor weights of the ``geographic`` mode (neighbours first, 004 L812)."""
    similar: SuggestionWeights = field(default_factory=_similar)
    """Factor weights of the ``similar`` mode (type and size first, 004 L812)."""

    def role_weight(self, role: str) -> float:
        """Role weight of ``role`` (one of :data:`matching.registry.ROLES`)."""
        return getattr(self, _ROLE_FIELDS[role])

    def evidence_weight(self, level: str) -> float:
        """Evidence weight of ``level`` (one of :data:`matching.registry.EVIDENCE_LEVELS`)."""
        return getattr(self, _EVIDENCE_FIELDS[level])

    def mode(self, mode: str) -> SuggestionWeights:
        """Factor weights of suggestion mode ``geographic`` or ``similar``."""
        return {"geographic": self.geographic, "similar": self.similar}[mode]

    def as_dict(self) -> dict[str, Any]:
        """Plain-JSON view of every weight (nested dicts for the two modes)."""
        return asdict(self)


#: The weights used when a caller passes none.
DEFAULT_WEIGHTS = MatchingWeights()
