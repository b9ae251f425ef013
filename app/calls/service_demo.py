"""Demo data: a clearly marked demo call with a dozen fictitious applications to try everything.

``flask --app app seed --demo`` adds the call "DEMO — City of Things 2022" (the real 2022 preset,
``is_demo`` set) and twelve invented applications. Leads, partners and followers are real
municipalities and organisations of the registry; titles, summaries and amounts are invented and
every title starts with "Demo:". Together they show every outcome: eligible applications, one
that applies alone (partnership minimum), one above the €1,000,000 cap, a draft, one that
resembles a funded 2017 project (possible double funding) and applications with and without
followers and open standards. Idempotent: an application already there (same title) is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.calls import service_applications as apps
from app.calls.service import create_call
from app.calls.service_snapshot import ensure_frozen
from app.core.extensions import db
from app.core.transaction import transactional
from app.models import Application, Call, Organisation, Project

DEMO_CALL_NAME = "DEMO — City of Things 2022"
DEMO_PRESET = "city-of-things-2022"


@dataclass(frozen=True)
class DemoReport:
    call_id: int
    call_created: bool
    created: int
    kept: int

    def summary(self) -> str:
        made = "created" if self.call_created else "kept"
        return (f"demo call {self.call_id} ({made}): {self.created} applications added, "
                f"{self.kept} already there")


def _org(name_start: str) -> dict[str, Any] | None:
    org = db.session.scalar(select(Organisation).where(Organisation.name.startswith(name_start)))
    return {"organisation": org.id} if org else None


def _project(key: str) -> int | None:
    return db.session.scalar(select(Project.id).where(Project.key == key))


def demo_applications() -> list[dict[str, Any]]:
    """The demo applications in the API shape (amounts invented, in euro cents)."""
    imec, vvsg = _org("imec"), _org("Vereniging van Vlaamse Steden")
    parking = db.session.scalar(select(Project).where(Project.key == "cot2017-kortrijk-parkeerinformatie"))
    modi, bereslim = _project("cot2017-leuven-modi-2b-mobiliteit"), _project("cot2017-genk-bereslim-boilers-en")
    items: list[dict[str, Any]] = [
        {"lead": "34022", "partners": [{"refnis": "34027"}, {"refnis": "34041"}], "domains": ["mobility"],
         "title": "Demo: Slimme schoolstraten met telcamera's",
         "summary": "Drie gemeenten meten verkeer aan schoolpoorten met telcamera's en delen de "
                    "tellingen als open data volgens OSLO.",
         "requested_grant_cents": 48_000_000, "total_budget_cents": 64_000_000,
         "deliverables": {"open_data": True, "playbook": True,
                          "oslo": ["OSLO Mobiliteit", "https://data.vlaanderen.be/standaarden/"],
                          "links": {"open_data": "https://example.org/demo/schoolstraten/tellingen"}},
         "committed_followers": [{"refnis": "36008", "letter": True}, "33011"],
         "knowledge_sharing": ["Draaiboek in de VVSG-praktijkendatabank"]},
        {"lead": "24062", "partners": [{"refnis": "24038"}, {"refnis": "24055"}, imec],
         "domains": ["mobility", "governance"],
         "title": "Demo: Deelmobiliteit als dienst voor de rand van Leuven",
         "summary": "Een regionaal platform voor deelfietsen en deelauto's met één abonnement.",
         "requested_grant_cents": 90_000_000, "total_budget_cents": 120_000_000,
         "deliverables": {"open_source": True, "vloca": True, "model_specification": True},
         "prior_projects": [modi], "committed_followers": ["24066", "24107"]},
        {"lead": "44021", "domains": ["environment"],
         "title": "Demo: Luchtkwaliteitssensoren in één stad",
         "summary": "Een stad plaatst alleen sensoren voor fijn stof in haar schoolomgevingen.",
         "requested_grant_cents": 30_000_000, "total_budget_cents": 40_000_000},
        {"lead": "11002", "partners": [{"refnis": "11029"}, {"refnis": "11013"}], "domains": ["living"],
         "title": "Demo: Digitale tweeling van straten en pleinen",
         "summary": "Een 3D-model van straten en pleinen om werken en evenementen te plannen.",
         "requested_grant_cents": 125_000_000, "total_budget_cents": 160_000_000,
         "deliverables": {"open_data": True, "oslo": ["OSLO Adresregister"]}},
        {"lead": "71016", "partners": [{"refnis": "71011"}, {"refnis": "71072"}], "domains": ["environment"],
         "title": "Demo: Slim sturen van elektrische boilers in sociale woningen",
         "summary": "Boilers en verwarming in sociale woningen slim sturen op zonne-energie.",
         "requested_grant_cents": 42_000_000, "total_budget_cents": 60_000_000,
         "deliverables": {"playbook": True, "open_source": True},
         "prior_projects": [bereslim],
         "committed_followers": [{"refnis": "71034", "letter": True}, "72003", "71053"]},
        {"lead": "31005", "partners": [{"refnis": "31022"}, vvsg], "domains": ["economy"],
         "title": "Demo: Handelaars delen openingsuren en drukte",
         "summary": "Handelaars delen openingsuren en bezoekersaantallen via een open datastandaard.",
         "requested_grant_cents": 35_000_000, "total_budget_cents": 50_000_000,
         "deliverables": {"open_data": True, "oslo": ["OSLO Dienstencataloog"], "vloca": True},
         "committed_followers": ["31003", "31012"]},
        {"lead": "12025", "partners": [{"refnis": "12005"}], "domains": ["people"],
         "title": "Demo: Zorgzame buurten met slimme alarmknoppen",
         "summary": "Alleenwonende ouderen krijgen een alarmknop die de buurtzorg verwittigt.",
         "requested_grant_cents": 25_000_000, "total_budget_cents": 40_000_000,
         "committed_followers": ["12014"]},
        {"lead": "13040", "partners": [{"refnis": "13008"}, {"refnis": "13025"}], "domains": ["governance"],
         "title": "Demo: Eén loket voor meldingen in de Kempen",
         "summary": "Een gedeeld meldingsplatform voor losliggende stoeptegels en sluikstort.",
         "requested_grant_cents": 60_000_000, "total_budget_cents": 80_000_000,
         "deliverables": {"open_source": True, "model_specification": True, "oslo": ["OSLO Melding"]},
         "committed_followers": [{"refnis": "13003", "letter": True}, {"refnis": "13049", "letter": True},
                                 "13044"]},
        {"lead": "41002", "partners": [{"refnis": "41048"}], "domains": ["mobility"],
         "title": "Demo: Slimme laadpalen op carpoolparkings",
         "summary": "Laadpalen die hun vermogen verdelen naar de vraag op carpoolparkings.",
         "requested_grant_cents": 40_000_000, "total_budget_cents": 55_000_000, "status": "draft"},
        {"lead": "46021", "partners": [{"refnis": "46025"}], "domains": ["environment"],
         "title": "Demo: Waterpeilsensoren tegen overstromingen langs de Schelde",
         "summary": "Sensoren meten het waterpeil in grachten en waarschuwen de diensten.",
         "requested_grant_cents": 20_000_000, "total_budget_cents": 30_000_000,
         "deliverables": {"open_data": True}, "committed_followers": ["46024"]},
        {"lead": "23094", "partners": [{"refnis": "23088"}, {"refnis": "23047"}], "domains": ["economy"],
         "title": "Demo: Slimme bedrijventerreinen rond de luchthaven",
         "summary": "Gedeelde sensoren voor parkeren, verlichting en beveiliging op bedrijventerreinen.",
         "requested_grant_cents": 70_000_000, "total_budget_cents": 100_000_000,
         "deliverables": {"vloca": True}},
    ]
    if parking is not None:  # resembles a funded 2017 project: shows the double-funding flag
        items.append({
            "lead": "36015", "partners": [{"refnis": "36008"}], "domains": ["mobility"],
            "title": f"Demo: {parking.title}", "summary": parking.summary,
            "requested_grant_cents": 30_000_000, "total_budget_cents": 45_000_000,
        })
    for item in items:
        item["partners"] = [p for p in item.get("partners", []) if p]
        item["prior_projects"] = [p for p in item.get("prior_projects", []) if p]
    return items


@transactional("demo.seed", payload=lambda report, **_: report.__dict__)
def seed_demo() -> DemoReport:
    """Add the demo call and its applications when missing, in one audited transaction."""
    call = db.session.scalar(select(Call).where(Call.is_demo.is_(True), Call.name == DEMO_CALL_NAME))
    call_created = call is None
    if call is None:
        call = create_call({"preset": DEMO_PRESET, "name": DEMO_CALL_NAME}, is_demo=True)
        db.session.flush()
    # The demo call takes applications while it is seeded, then sits with the jury (the 2022
    # preset has no deadline in the sources, so the phases are set here, not stepped through).
    phase = call.phase
    call.phase = "open"
    titles = set(db.session.scalars(select(Application.title).where(Application.call_id == call.id)))
    created = kept = 0
    for payload in demo_applications():
        if payload["title"] in titles:
            kept += 1
            continue
        apps.create_application(call, payload, None, origin="demo")
        created += 1
    call.phase = "jury" if call_created or phase == "open" else phase
    ensure_frozen(call, reason="closed")  # as the step to closed would have
    return DemoReport(call_id=call.id, call_created=call_created, created=created, kept=kept)
