"""How related two project ideas are, factor by factor (issue 14; docs/ideas.md).

The relatedness of ideas ``a`` and ``b`` (of different municipalities) is the sum of four factor
contributions, each ``weight x term`` with the term in [0, 1], so the score lies in [0, 1]:

* ``text_similarity``: cosine of the TF-IDF vectors of the idea texts (title, problem, solution,
  what it brings), the vectoriser of similar projects (:mod:`matching.similar`: Dutch
  normalisation, character n-grams), municipality names ignored;
* ``shared_domains``: Jaccard overlap of the domain sets;
* ``complementary_roles``: in a shared domain, one idea seeks a lighthouse and the other's
  municipality has more experience there (or one seeks followers and the other has less): the
  experience gap in points, saturating at ``experience_gap_saturation`` of the matching weights;
  an idea that seeks peers gets the peer similarity of the two municipalities (type and size);
  the best of these;
* ``distance_km``: ``0.5 ** (km / distance_half_km)``, the proximity decay of partner suggestions.

The score is symmetric, ``r(a, b) == r(b, a)``: the consortium model (:mod:`matching.ideas.
consortium`) sums it over pairs. Two ideas of the same municipality are never related (it does
not need itself as a partner). The weights are one named object, :class:`RelatednessWeights`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

import numpy as np

from matching.graph import InvalidParameter, RegistryGraph, validate_limit
from matching.partners import DOMAIN_NAMES_EN, DOMAIN_NAMES_NL, Factor, Reasons, track_record
from matching.registry import DOMAINS
from matching.similar import ProjectIndex, place_name_words

FACTOR_NAMES: tuple[str, ...] = ("text_similarity", "shared_domains", "complementary_roles",
                                 "distance_km")
SEEKS: tuple[str, ...] = ("lighthouse", "followers", "peers", "technology_partner")


@dataclass(frozen=True)
class RelatednessWeights:
    """The weight of each factor (they add up to 1, so a score is in [0, 1]). Our tuning: what
    the ideas say they want to do weighs most, then whether one can guide the other, then the
    domain, then distance (the sources allow partners that are not neighbours, 004 L812)."""

    text_similarity: float = 0.40
    shared_domains: float = 0.20
    complementary_roles: float = 0.25
    distance: float = 0.15

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_RELATEDNESS = RelatednessWeights()


@dataclass(frozen=True)
class IdeaInput:
    """What relatedness needs of an idea: its id, municipality and words."""

    id: int
    refnis: str
    title: str
    text: str = ""
    domains: tuple[str, ...] = ()
    seeks: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Text:
    """An idea text in the shape :class:`ProjectIndex` indexes (id, title, summary)."""

    id: int
    title: str
    summary: str


@dataclass(frozen=True)
class RelatedIdea:
    """A related idea; ``score == sum(f.contribution for f in factors)``."""

    idea: int
    refnis: str
    score: float
    factors: tuple[Factor, ...]
    reasons: Reasons


@dataclass
class RelatednessModel:
    """Relatedness of every pair of ideas, with the factor terms kept for explanation.

    Build once per set of ideas (:meth:`build`), then ask :meth:`related` for any idea, or read
    :attr:`score` (n x n) for the consortium model.
    """

    ideas: tuple[IdeaInput, ...]
    graph: RegistryGraph
    weights: RelatednessWeights
    terms: np.ndarray
    """4 x n x n factor terms in [0, 1], order of :data:`FACTOR_NAMES`."""
    distance_km: np.ndarray
    score: np.ndarray
    """n x n relatedness; 0 on the diagonal and for two ideas of one municipality."""
    position: dict[int, int] = field(default_factory=dict)

    @classmethod
    def build(cls, ideas: Iterable[IdeaInput], graph: RegistryGraph,
              weights: RelatednessWeights = DEFAULT_RELATEDNESS) -> RelatednessModel:
        """Score every pair; raises UnknownMunicipality for an idea of an unknown REFNIS code
        and InvalidParameter for an unknown domain or seek."""
        items = tuple(ideas)
        n = len(items)
        for item in items:
            graph.position(item.refnis)
            for d in item.domains:
                if d not in DOMAINS:
                    raise InvalidParameter("domains", f"unknown domain {d!r}", valid=DOMAINS)
            for s in item.seeks:
                if s not in SEEKS:
                    raise InvalidParameter("seeks", f"unknown value {s!r}", valid=SEEKS)
        pos = np.array([graph.index[i.refnis] for i in items], dtype=int)
        text = _text_similarity(items, graph)
        has = np.array([[d in i.domains for d in DOMAINS] for i in items], dtype=float).reshape(n, 6)
        both = has @ has.T
        either = has.sum(axis=1)[:, None] + has.sum(axis=1)[None, :] - both
        jaccard = np.divide(both, either, out=np.zeros((n, n)), where=either > 0)
        complementary = _complementary(items, graph, pos, has)
        distance = graph.distance_km[np.ix_(pos, pos)] if n else np.zeros((0, 0))
        proximity = 0.5 ** (distance / graph.weights.distance_half_km)
        terms = np.stack([text, jaccard, complementary, proximity]) if n else np.zeros((4, 0, 0))
        w = np.array([weights.text_similarity, weights.shared_domains,
                      weights.complementary_roles, weights.distance])
        contributions = terms * w[:, None, None]
        score = contributions[0] + contributions[1] + contributions[2] + contributions[3]
        same = pos[:, None] == pos[None, :]
        score = np.where(same, 0.0, score)
        return cls(items, graph, weights, terms, distance, score,
                   {i.id: k for k, i in enumerate(items)})

    def contributions(self, a: int, b: int) -> tuple[Factor, ...]:
        """The factors of the pair at positions ``a``, ``b`` (their sum is ``score[a, b]``)."""
        w = (self.weights.text_similarity, self.weights.shared_domains,
             self.weights.complementary_roles, self.weights.distance)
        values = (float(self.terms[0, a, b]), float(self.terms[1, a, b]),
                  float(self.terms[2, a, b]), float(self.distance_km[a, b]))
        return tuple(Factor(name, values[f], float(self.terms[f, a, b] * w[f]))
                     for f, name in enumerate(FACTOR_NAMES))

    def related(self, idea_id: int, limit: int = 10,
                among: Iterable[int] | None = None) -> list[RelatedIdea]:
        """The ideas most related to ``idea_id``, best first (score > 0, other municipalities),
        at most ``limit``; ``among`` restricts the candidates (what the caller may see)."""
        validate_limit(limit)
        if idea_id not in self.position:
            raise InvalidParameter("idea", f"unknown idea {idea_id}")
        a = self.position[idea_id]
        allowed = None if among is None else {self.position[i] for i in among if i in self.position}
        candidates = [b for b in range(len(self.ideas))
                      if b != a and self.score[a, b] > 0 and (allowed is None or b in allowed)]
        candidates.sort(key=lambda b: (-self.score[a, b], self.distance_km[a, b], self.ideas[b].id))
        out = []
        for b in candidates[:limit]:
            factors = self.contributions(a, b)
            out.append(RelatedIdea(self.ideas[b].id, self.ideas[b].refnis,
                                   sum(f.contribution for f in factors), factors,
                                   self.reasons(a, b)))
        return out

    def reasons(self, a: int, b: int) -> Reasons:
        """Why ``b`` is worth talking to for ``a``: the shared domains, who can guide whom with
        the experience behind the claim, how alike the texts are, and the distance."""
        ia, ib = self.ideas[a], self.ideas[b]
        shared = [d for d in DOMAINS if d in ia.domains and d in ib.domains]
        nl: list[str] = []
        en: list[str] = []
        if shared:
            nl.append("zelfde domein: " + ", ".join(DOMAIN_NAMES_NL[d] for d in shared))
            en.append("same domain: " + ", ".join(DOMAIN_NAMES_EN[d] for d in shared))
        role = _role_reason(self, a, b, shared)
        if role:
            nl.append(role.nl)
            en.append(role.en)
        text = float(self.terms[0, a, b])
        if text >= 0.05:
            nl.append(f"tekstgelijkenis {text:.2f}")
            en.append(f"text similarity {text:.2f}")
        km = float(self.distance_km[a, b])
        dist = "< 1 km" if km < 1 else f"{round(km)} km"
        nl.append(dist)
        en.append(dist)
        return Reasons(nl="; ".join(nl), en="; ".join(en))


def _text_similarity(items: tuple[IdeaInput, ...], graph: RegistryGraph) -> np.ndarray:
    n = len(items)
    if n == 0:
        return np.zeros((0, 0))
    try:
        index = ProjectIndex.build([_Text(i.id, i.title, i.text) for i in items],
                                   ignore_words=_names(graph))
    except ValueError:  # every n-gram is in more ideas than the boilerplate share: no signal
        return np.zeros((n, n))
    sim = np.clip(index.pairwise(), 0.0, 1.0)
    np.fill_diagonal(sim, 0.0)
    return sim


_NAMES_CACHE: dict[int, frozenset[str]] = {}


def _names(graph: RegistryGraph) -> frozenset[str]:
    """Municipality names to ignore in texts (a name says who, not what); once per graph."""
    key = id(graph)
    if key not in _NAMES_CACHE:
        _NAMES_CACHE.clear()
        _NAMES_CACHE[key] = place_name_words(graph.municipalities)
    return _NAMES_CACHE[key]


def _complementary(items: tuple[IdeaInput, ...], graph: RegistryGraph, pos: np.ndarray,
                   has: np.ndarray) -> np.ndarray:
    """The complementary-roles term of every pair (see the module doc), in [0, 1]."""
    n = len(items)
    out = np.zeros((n, n))
    if n == 0:
        return out
    sat = graph.weights.experience_gap_saturation

    def seeks(kind: str) -> np.ndarray:
        return np.array([kind in i.seeks for i in items])

    lighthouse, followers, peers = seeks("lighthouse"), seeks("followers"), seeks("peers")
    peer_term = np.where(peers[:, None] | peers[None, :], graph.similarity[np.ix_(pos, pos)], 0.0)
    for k in range(len(DOMAINS)):
        shared = (has[:, k][:, None] > 0) & (has[:, k][None, :] > 0)
        if not shared.any():
            continue
        exp = graph.experience[k, pos]
        gap = exp[None, :] - exp[:, None]  # b minus a
        up = np.clip(gap / sat, 0.0, 1.0)  # b more experienced than a
        down = np.clip(-gap / sat, 0.0, 1.0)  # a more experienced than b
        term = np.maximum.reduce([
            np.where(lighthouse[:, None], up, 0.0), np.where(lighthouse[None, :], down, 0.0),
            np.where(followers[:, None], down, 0.0), np.where(followers[None, :], up, 0.0),
            peer_term,
        ])
        out = np.maximum(out, np.where(shared, term, 0.0))
    return out


def _role_reason(model: RelatednessModel, a: int, b: int, shared: list[str]) -> Reasons | None:
    """Who can guide whom in the shared domain where the complementary term is largest."""
    if model.terms[2, a, b] <= 0 or not shared:
        return None
    g = model.graph
    ia, ib = model.ideas[a], model.ideas[b]
    pa, pb = g.index[ia.refnis], g.index[ib.refnis]
    k = max((DOMAINS.index(d) for d in shared),
            key=lambda k: abs(float(g.experience[k, pb] - g.experience[k, pa])))
    if g.experience[k, pb] == g.experience[k, pa]:
        return Reasons("gelijkaardige besturen", "similar local governments")
    guide = pb if g.experience[k, pb] > g.experience[k, pa] else pa
    record = track_record(g, guide, k)
    return Reasons(f"{record.nl} (kan begeleiden)", f"{record.en} (can guide)")


def related_as_dict(item: RelatedIdea) -> dict[str, object]:
    """The JSON shape of a related idea (the API's and the pages')."""
    return {
        "idea": item.idea,
        "refnis": item.refnis,
        "score": item.score,
        "factors": [{"name": f.name, "value": f.value, "contribution": f.contribution}
                    for f in item.factors],
        "reasons": {"nl": item.reasons.nl, "en": item.reasons.en},
    }
