"""Related projects by TF-IDF: Dutch normalisation, compounds, validation, double funding flag."""

import re
from pathlib import Path

import pytest

from matching.graph import InvalidParameter, UnknownProject
from matching.registry import Project
from matching.seedfiles import load_registry_from_seed_files
from matching.similar import (
    DOUBLE_FUNDING_THRESHOLD,
    MAX_TEXT_LENGTH,
    InvalidText,
    ProjectIndex,
    normalise,
    place_name_words,
)

SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"

LIGHTING = Project(
    1, "Geconnecteerde verlichting op fietspaden",
    "De stad plaatst slimme verlichting langs fietspaden die feller brandt wanneer een fietser "
    "nadert en dimt wanneer er niemand is. Zo besparen we energie en voelen fietsers zich "
    "veiliger. Een draaiboek en voorbeeldbestek maken de aanpak herbruikbaar.",
    "City of Things", 2017)
AIR = Project(
    2, "Gemeentelijk meetnet luchtkwaliteit",
    "Goedkope sensoren meten de luchtkwaliteit op twintig plaatsen in de gemeente; de metingen "
    "komen als open data beschikbaar.", "City of Things", 2017)
PARKING = Project(
    3, "Parkeerinformatie in real time",
    "Bezoekers zien op hun smartphone hoeveel parkeerplaatsen vrij zijn in de parkings van de "
    "binnenstad.", "City of Things", 2017)
WASTE = Project(
    4, "Slim afvalbeheer",
    "Sensoren in ondergrondse afvalcontainers melden wanneer ze vol zijn, zodat de ophaling "
    "efficiënter verloopt.", "City of Things", 2017)
PROJECTS = (LIGHTING, AIR, PARKING, WASTE)


@pytest.fixture(scope="module")
def index():
    return ProjectIndex.build(PROJECTS)


def test_normalise_strips_accents_case_and_dutch_stop_words():
    assert normalise("Ideeën voor de Slimme Stad én het Platteland") == (
        "ideeen slimme stad platteland")


def test_a_compound_finds_its_parts(index):
    [(best, score), *_] = index.similar_to_text("luchtkwaliteitssensoren in onze straten")
    assert best == AIR.id and 0 < score <= 1
    assert index.similar_to_text("vrije parkeerplaatsen tonen")[0][0] == PARKING.id
    assert index.similar_to_text("containers voor afval")[0][0] == WASTE.id


def test_similar_to_project_excludes_itself_and_is_sorted(index):
    found = index.similar_to_project(AIR.id, limit=10)
    assert AIR.id not in [pid for pid, _ in found]
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True) and all(0 < s < 1 for s in scores)
    assert len(index.similar_to_project(AIR.id, limit=1)) == 1


def test_a_reworded_resubmission_crosses_the_double_funding_threshold(index):
    resubmission = (
        "Geconnecteerde slimme verlichting voor fietspaden. Langs de fietspaden plaatst de stad "
        "verlichting die feller brandt als een fietser nadert en dimt als er niemand is: dat "
        "bespaart energie en fietsers voelen zich veiliger. Met draaiboek en voorbeeldbestek.")
    [(best, score), *rest] = index.similar_to_text(resubmission)
    assert best == LIGHTING.id and score >= DOUBLE_FUNDING_THRESHOLD
    assert all(s < DOUBLE_FUNDING_THRESHOLD for _, s in rest)


def test_a_different_project_on_the_same_theme_stays_below_the_threshold(index):
    idea = ("Verkeerslichten aan kruispunten geven fietsers sneller groen dankzij sensoren die "
            "naderende fietsers detecteren.")
    assert all(s < DOUBLE_FUNDING_THRESHOLD for _, s in index.similar_to_text(idea))


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_refused(index, text):
    with pytest.raises(InvalidText) as info:
        index.similar_to_text(text)
    assert info.value.field == "text"
    assert isinstance(info.value, InvalidParameter)


def test_huge_text_is_refused_but_the_maximum_is_accepted(index):
    with pytest.raises(InvalidText) as info:
        index.similar_to_text("a" * (MAX_TEXT_LENGTH + 1))
    assert info.value.max_length == MAX_TEXT_LENGTH
    assert index.similar_to_text("fiets " * (MAX_TEXT_LENGTH // 6))[0][0] == LIGHTING.id


def test_only_stop_words_find_nothing(index):
    assert index.similar_to_text("de het een en van") == []


def test_unknown_project_and_bad_limit(index):
    with pytest.raises(UnknownProject):
        index.similar_to_project(999)
    with pytest.raises(InvalidParameter) as info:
        index.similar_to_text("fiets", limit=0)
    assert info.value.field == "limit"


def test_an_empty_index_finds_nothing():
    empty = ProjectIndex.build([])
    assert empty.similar_to_text("fietspaden") == []
    with pytest.raises(UnknownProject):
        empty.similar_to_project(1)


# --- the real projects ----------------------------------------------------------------------


#: Seed projects whose title the sources do not give (CoT 2022): their text is only call
#: boilerplate and the lead's name, so they carry no content to compare.
PLACEHOLDER = re.compile(r"^City of Things \d{4}-project van ")


@pytest.fixture(scope="module")
def real_index():
    registry = load_registry_from_seed_files(SEED_DIR)
    index = ProjectIndex.build(registry.projects, place_name_words(registry.municipalities))
    return index, {p.id: p.title for p in registry.projects}


def test_distinct_real_projects_stay_below_the_double_funding_threshold(real_index):
    index, titles = real_index
    known = [pid for pid, title in titles.items() if not PLACEHOLDER.match(title)]
    assert len(known) >= 30
    for pid in known:
        for other, score in index.similar_to_project(pid, limit=10):
            if other in known:
                assert score < DOUBLE_FUNDING_THRESHOLD, (titles[pid], titles[other], score)


def test_a_real_project_described_again_is_flagged(real_index):
    index, titles = real_index
    idea = ("Slimme mobipunten in Peer: deelfietsen, een deelauto en laadpalen op een mobipunt, "
            "met sensoren die de bezetting meten.")
    [(best, score), (_, second)] = index.similar_to_text(idea, limit=2)
    assert titles[best] == "Slimme mobipunten"
    assert score >= DOUBLE_FUNDING_THRESHOLD > second


def test_a_town_name_alone_is_no_similarity(real_index):
    index, titles = real_index
    found = index.similar_to_text("Een project in Roeselare en Kortrijk", limit=5)
    assert all(score < 0.2 for _, score in found), [(titles[p], s) for p, s in found]
