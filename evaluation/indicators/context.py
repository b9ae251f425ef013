"""What the indicators need besides the application, prepared once per call."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence

import numpy as np

from evaluation.calls import DEFAULT_FOLLOWER_DISTANCE_KM, VGC
from evaluation.indicators.weights import DEFAULT_WEIGHTS, IndicatorWeights
from matching.registry import DOMAINS, Municipality, Project


class IndicatorContext:
    """Everything the indicators need besides the application, prepared once per call.

    - ``municipalities``: REFNIS -> current :class:`Municipality` (or an iterable of them).
    - ``distance_km``: a callable ``(refnis_a, refnis_b) -> km`` or a square matrix in the order
      of ``municipalities``.
    - ``experience``: (REFNIS, domain) -> experience score, any non-negative scale, 0 = none.
      Need in a domain is ``1 - experience / highest experience in that domain``.
    - ``projects``: prior projects by id; ``participants``: project id -> REFNIS of the
      municipalities that took part (any role). A prior project counts only when a consortium
      member took part in it; without ``participants`` none can be checked and none counts.
    - ``follower_distance_km``: the call's follower distance (default 30 km).
    - ``min_cofinancing_pct``: the call's minimum co-financing share, 0-100 (None = none).
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
        participants: Mapping[int, Collection[str]] | None = None,
        follower_distance_km: float = DEFAULT_FOLLOWER_DISTANCE_KM,
        min_cofinancing_pct: float | None = None,
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
        self.projects: Mapping[int, Project] = projects or {}
        self.participants: dict[int, frozenset[str]] = {
            pid: frozenset(codes) for pid, codes in (participants or {}).items()
        }
        self.follower_distance_km = float(follower_distance_km)
        self.min_cofinancing_pct = min_cofinancing_pct
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
        self._co_participants: dict[str, set[str]] | None = None

    def locate(self, refnis: str) -> int | None:
        """Matrix index for a member (stand-ins applied), None when it has no location."""
        i = self.index.get(refnis)
        if i is None and refnis in self.stand_ins:
            i = self.index.get(self.stand_ins[refnis])
        return i

    def counts(self, refnis: str) -> bool:
        """A municipality of the adoption regions (Flanders): counts as member or follower.

        The 19 Brussels municipalities fall outside Flemish competence (the VGC is the Flemish
        partner there), so they add nothing to either indicator.
        """
        m = self.municipalities.get(refnis)
        return m is not None and m.region in self.weights.adoption_regions

    def people(self, refnis: str) -> int:
        """Inhabitants of a counted municipality; stand-ins, Brussels and unknown codes add none."""
        return self.municipalities[refnis].population if self.counts(refnis) else 0

    def distance(self, a: str, b: str) -> float | None:
        i, j = self.locate(a), self.locate(b)
        return None if i is None or j is None else float(self.distances[i, j])

    def nearest_km(self, refnis: str, members: Sequence[str]) -> float | None:
        """Distance from ``refnis`` to the nearest of ``members`` other than itself (km)."""
        found = [d for m in members if m != refnis and (d := self.distance(refnis, m)) is not None]
        return min(found) if found else None

    def tied(self, refnis: str, members: Iterable[str]) -> bool:
        """True when ``refnis`` took part in a registry project with one of ``members``."""
        if self._co_participants is None:
            co: dict[str, set[str]] = {}
            for codes in self.participants.values():
                for c in codes:
                    co.setdefault(c, set()).update(codes)
            self._co_participants = co
        partners = self._co_participants.get(refnis, set())
        return any(m in partners for m in members if m != refnis)

    def need_for(self, domains: Sequence[str]) -> np.ndarray:
        """Need per municipality, averaged over the application's domains (1 without domains)."""
        known = [d for d in domains if d in self.need]
        if not known:
            return np.ones(len(self.codes))
        if len(known) == 1:
            return self.need[known[0]]
        return np.mean([self.need[d] for d in known], axis=0)
