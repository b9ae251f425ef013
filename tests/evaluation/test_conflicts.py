"""Conflicts of interest: affiliation with the lead, a partner or a follower, rival applicants, and
declared conflicts."""

import pytest

from evaluation.conflicts import (
    Affiliation,
    Consortium,
    DeclaredConflict,
    InvalidAffiliation,
    Juror,
    find_conflicts,
)

GENT = Affiliation(refnis="44021")
LEUVEN = Affiliation(refnis="24062")
KORTRIJK = Affiliation(refnis="34022")
IMEC = Affiliation(organisation=7)
VVSG = Affiliation(organisation=9)


def consortia():
    return [
        Consortium(1, lead=GENT, partners=(LEUVEN, IMEC)),
        Consortium(2, lead=KORTRIJK, partners=(GENT,)),
        Consortium(3, lead=LEUVEN),
    ]


def test_a_juror_from_the_lead_municipality_has_a_conflict():
    conflicts = find_conflicts([Juror(10, (GENT,))], consortia())
    (lead,) = conflicts.reasons(1, 10)
    assert lead.kind == "lead"
    assert "44021" in lead.reason_en and "44021" in lead.reason_nl
    assert "indiener" in lead.reason_nl


def test_a_juror_from_a_partner_municipality_or_organisation_has_a_conflict():
    jurors = [Juror(10, (GENT,)), Juror(11, (IMEC,))]
    conflicts = find_conflicts(jurors, consortia())
    assert [c.kind for c in conflicts.reasons(2, 10)] == ["partner_municipality"]
    assert [c.kind for c in conflicts.reasons(1, 11)] == ["partner_organisation"]
    assert conflicts.pairs == {(1, 10), (2, 10), (1, 11)}


def test_a_juror_from_a_committed_follower_has_a_conflict_like_a_partner():
    cons = [Consortium(1, lead=KORTRIJK, followers=(GENT,)), Consortium(2, lead=LEUVEN)]
    conflicts = find_conflicts([Juror(10, (GENT,))], cons, competitors=True)
    (follower,) = conflicts.reasons(1, 10)
    assert follower.kind == "follower"
    assert "volgstad" in follower.reason_nl and "44021" in follower.reason_en
    # a follower is not an applicant: no competitor conflict with application 2
    assert (2, 10) not in conflicts


def test_a_juror_from_an_applicant_is_a_competitor_of_every_other_application():
    conflicts = find_conflicts([Juror(10, (KORTRIJK,)), Juror(12, (VVSG,))], consortia(), competitors=True)
    assert [c.kind for c in conflicts.reasons(2, 10)] == ["lead"]
    (rival,) = conflicts.reasons(1, 10)
    assert rival.kind == "competitor"
    assert "competing application" in rival.reason_en and "application 2" in rival.reason_en
    assert "concurrerende" in rival.reason_nl
    assert [c.kind for c in conflicts.reasons(3, 10)] == ["competitor"]
    assert not any(c.juror_id == 12 for c in conflicts)


def test_an_unrelated_juror_has_no_conflict():
    conflicts = find_conflicts([Juror(12, (VVSG,)), Juror(13, ())], consortia())
    assert len(conflicts) == 0
    assert (1, 12) not in conflicts


def test_declared_and_automatic_conflicts_are_merged_with_every_reason():
    declared = [
        DeclaredConflict(1, 10, " former colleague of the project lead "),
        DeclaredConflict(3, 14, "advised the applicant in 2024"),
    ]
    conflicts = find_conflicts([Juror(10, (GENT,)), Juror(14, ())], consortia(), declared)
    kinds = [c.kind for c in conflicts.reasons(1, 10)]
    assert kinds == ["lead", "declared"]
    assert conflicts.reasons(1, 10)[1].reason_en.endswith("former colleague of the project lead")
    assert (3, 14) in conflicts
    assert conflicts.to_dict()["conflicts"][0] == {
        "application": 1,
        "juror": 10,
        "kind": "lead",
        "reason_nl": "het jurylid is verbonden aan de indiener (gemeente 44021)",
        "reason_en": "the juror is affiliated with the lead applicant (municipality 44021)",
    }


def test_a_juror_with_two_affiliations_gets_both_conflicts():
    conflicts = find_conflicts([Juror(15, (KORTRIJK, VVSG))], consortia(), competitors=True)
    assert [c.kind for c in conflicts.reasons(2, 15)] == ["lead"]
    assert [c.kind for c in conflicts.reasons(1, 15)] == ["competitor"]
    conflicts = find_conflicts([Juror(15, (KORTRIJK, LEUVEN))], consortia())
    assert conflicts.pairs == {(2, 15), (1, 15), (3, 15)}


def test_an_affiliation_names_exactly_one_municipality_or_organisation():
    with pytest.raises(InvalidAffiliation):
        Affiliation()
    with pytest.raises(InvalidAffiliation):
        Affiliation(refnis="44021", organisation=3)
    with pytest.raises(InvalidAffiliation):
        Affiliation(refnis="4402")
    assert Affiliation(refnis="VGC").label_nl() == "de VGC"
