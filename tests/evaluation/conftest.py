"""Fixtures for the call/application/indicator tests: a tiny, clearly fictitious registry.

The toy municipalities lie on a straight line (``X_KM``) so that distances, and with them every
indicator figure, can be worked out by hand. Names are invented on purpose ("Teststad", ...) and
REFNIS codes use the 9xxxx range, which Statbel does not use for municipalities.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from evaluation.applications import Application, Deliverables, Partner
from matching.registry import Municipality, Project


def _m(
    refnis: str,
    name: str,
    population: int,
    province: str | None,
    *,
    centrumstad: bool = False,
    region: str = "flanders",
) -> Municipality:
    return Municipality(refnis, name, None, province, region, centrumstad, population, 0.0, 0.0)


TOY = {
    m.refnis: m
    for m in (
        _m("90001", "Teststad", 100_000, "p1", centrumstad=True),
        _m("90002", "Klein-Een", 10_000, "p1"),
        _m("90003", "Klein-Twee", 20_000, "p1"),
        _m("90004", "Klein-Drie", 30_000, "p2"),
        _m("90005", "Grootdorp", 60_000, "p2"),
        _m("90006", "Klein-Vier", 5_000, "p3"),
        _m("21004", "Hoofdstad-Test", 190_000, None, region="brussels"),
    )
}

#: Position of each toy municipality on a line, in km.
X_KM = {"90001": 0, "90002": 10, "90003": 20, "90004": 40, "90005": 60, "90006": 100, "21004": 30}


def line_distance(a: str, b: str) -> float:
    return float(abs(X_KM[a] - X_KM[b]))


PRIOR = {
    1: Project(
        1,
        "Slimme parkeerpalen",
        "Sensoren op parkeerplaatsen",
        "City of Things",
        2017,
        status="completed",
        domains=("mobility",),
    ),
    2: Project(
        2,
        "Luchtmeetnet",
        "Luchtkwaliteit meten",
        "City of Things",
        2019,
        status="running",
        domains=("environment",),
    ),
}


def make_application(**overrides) -> Application:
    """A plain valid application led by Teststad; override any field."""
    fields = {
        "lead": "90001",
        "title": "Slimme mobiliteit",
        "requested_grant_cents": 8_000_000,
        "total_budget_cents": 10_000_000,
        "domains": ("mobility",),
        "partners": (Partner(refnis="90002"),),
        "deliverables": Deliverables(),
    }
    fields.update(overrides)
    return Application(**fields)


@pytest.fixture
def toy() -> dict[str, Municipality]:
    """The toy municipalities by REFNIS."""
    return dict(TOY)


@pytest.fixture
def distance() -> Callable[[str, str], float]:
    """Distance in km between two toy municipalities (along the line)."""
    return line_distance


@pytest.fixture
def prior() -> dict[int, Project]:
    """Two prior projects: 1 completed (mobility), 2 running (environment)."""
    return dict(PRIOR)


@pytest.fixture
def app_factory() -> Callable[..., Application]:
    """``app_factory(**overrides)``: a valid application led by Teststad."""
    return make_application
