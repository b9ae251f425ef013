"""Eligibility: every rule with its reason; rules without a figure are listed, not passed."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from evaluation.applications import Deliverables, Partner
from evaluation.calls import VGC, preset_call
from evaluation.eligibility import RULE_CODES, EligibilityContext, check_eligibility


def test_every_rule_is_reported_in_order(app_factory, toy):
    result = check_eligibility(
        preset_call("city-of-things-2017"), app_factory(), EligibilityContext(municipalities=toy)
    )
    assert tuple(r.code for r in result.rules) == RULE_CODES


def test_rules_without_a_figure_are_not_applicable_not_passed(app_factory, toy):
    result = check_eligibility(
        preset_call("city-of-things-2022"), app_factory(), EligibilityContext(municipalities=toy)
    )
    na = {r.code for r in result.rules if r.status == "not_applicable"}
    assert {
        "max_subsidy_pct",
        "min_cofinancing_pct",
        "min_grant",
        "domain_allowed",
        "prior_project",
        "oslo",
        "vloca",
        "applications_per_lead",
        "deadline",
        "double_funding",
    } == na
    for r in result.rules:
        if r.status == "not_applicable":
            assert r.passed is None
            assert r.to_dict()["passed"] is None
            assert "niet" in r.reason_nl and "not" in r.reason_en
    assert result.eligible


def test_grant_above_the_cap_reason_in_belgian_notation(app_factory, toy):
    call = preset_call("city-of-things-2022")
    app = app_factory(requested_grant_cents=125_000_000, total_budget_cents=150_000_000)
    result = check_eligibility(call, app, EligibilityContext(municipalities=toy))
    rule = result.rule("max_grant")
    assert not result.eligible and rule.status == "failed"
    assert rule.reason_nl == "Maximum steun €1.000.000, gevraagd €1.250.000."
    assert rule.reason_en == "Maximum grant €1,000,000, requested €1,250,000."
    assert rule.details == {"limit_cents": 100_000_000, "requested_cents": 125_000_000}


def test_cot_2017_subsidy_and_cofinancing_percentages(app_factory, toy):
    call = preset_call("city-of-things-2017")
    ok = app_factory(requested_grant_cents=16_000_000, total_budget_cents=20_000_000)  # 80 %
    too_much = app_factory(requested_grant_cents=16_000_100, total_budget_cents=20_000_000)
    ctx = EligibilityContext(municipalities=toy)
    assert check_eligibility(call, ok, ctx).rule("max_subsidy_pct").status == "passed"
    assert check_eligibility(call, ok, ctx).rule("min_cofinancing_pct").status == "passed"
    bad = check_eligibility(call, too_much, ctx)
    assert bad.rule("max_subsidy_pct").status == "failed"
    assert bad.rule("min_cofinancing_pct").status == "failed"
    assert "Maximaal 80% steun" in bad.rule("max_subsidy_pct").reason_nl
    assert "€160.001" in bad.rule("max_subsidy_pct").reason_nl
    assert "80%" in bad.rule("max_subsidy_pct").reason_nl


def test_cot_2017_cap_of_200000(app_factory, toy):
    call = preset_call("city-of-things-2017")
    ctx = EligibilityContext(municipalities=toy)
    at_cap = app_factory(requested_grant_cents=20_000_000, total_budget_cents=25_000_000)
    above = app_factory(requested_grant_cents=20_000_001, total_budget_cents=26_000_000)
    assert check_eligibility(call, at_cap, ctx).rule("max_grant").status == "passed"
    assert check_eligibility(call, above, ctx).rule("max_grant").reason_nl == (
        "Maximum steun €200.000, gevraagd €200.000,01."
    )


def test_slim_in_de_stad_rules(app_factory, toy):
    call = preset_call("slim-in-de-stad-2019")
    ctx = EligibilityContext(municipalities=toy)
    # Teststad is a centrumstad; 30 % co-financing; €145,000 asked.
    good = app_factory(requested_grant_cents=14_500_000, total_budget_cents=20_714_286)
    result = check_eligibility(call, good, ctx)
    assert result.eligible, [r.reason_en for r in result.failed]
    small_lead = replace(good, lead="90002", partners=(Partner(refnis="90001"),))
    lead = check_eligibility(call, small_lead, ctx).rule("lead_allowed")
    assert lead.status == "failed"
    assert "Alleen centrumsteden en de VGC" in lead.reason_nl and "Klein-Een" in lead.reason_nl
    too_little = replace(good, requested_grant_cents=14_499_999)
    assert check_eligibility(call, too_little, ctx).rule("min_grant").status == "failed"
    low_cofin = replace(good, total_budget_cents=20_000_000)  # 27.5 % own
    rule = check_eligibility(call, low_cofin, ctx).rule("min_cofinancing_pct")
    assert rule.status == "failed" and "27,5%" in rule.reason_nl


def test_vgc_may_lead_even_where_only_centrumsteden_may(app_factory, toy):
    call = preset_call("slim-in-de-stad-2019")
    app = app_factory(lead=VGC, requested_grant_cents=14_500_000, total_budget_cents=30_000_000)
    assert (
        check_eligibility(call, app, EligibilityContext(municipalities=toy)).rule("lead_allowed").status
        == "passed"
    )


def test_brussels_municipality_may_not_lead_city_of_things(app_factory, toy):
    app = app_factory(lead="21004")
    rule = check_eligibility(
        preset_call("city-of-things-2022"), app, EligibilityContext(municipalities=toy)
    ).rule("lead_allowed")
    assert rule.status == "failed" and "geen Vlaamse gemeente" in rule.reason_nl


def test_one_concept_per_lead_plus_one_when_cooperating(app_factory, toy):
    call = preset_call("slim-in-de-stad-2019")
    solo = app_factory(id=1, partners=())
    coop = app_factory(id=2, partners=(Partner(refnis="90002"),))
    solo2 = app_factory(id=3, partners=())
    coop2 = app_factory(id=4, partners=(Partner(refnis="90003"),))

    def rule(app, others):
        ctx = EligibilityContext(municipalities=toy, other_applications_of_lead=others)
        return check_eligibility(call, app, ctx).rule("applications_per_lead")

    assert rule(solo, ()).status == "passed"
    assert rule(solo, (coop,)).status == "passed"  # the extra one cooperates
    assert rule(coop, (coop2,)).status == "passed"  # two cooperating concepts
    assert rule(solo, (solo2,)).status == "failed"  # two without cooperation
    assert rule(coop, (solo, coop2)).status == "failed"  # three in all
    assert rule(solo, (solo,)).status == "passed"  # the same application is not counted twice
    assert "heeft er 2 in deze oproep, waarvan 2 zonder samenwerking" in rule(solo, (solo2,)).reason_nl


def test_partnership_minimum(app_factory, toy):
    call = preset_call("city-of-things-2023")
    alone = app_factory(partners=(Partner(organisation_id=7, organisation_type="company"),))
    rule = check_eligibility(call, alone, EligibilityContext(municipalities=toy)).rule("partnership_minimum")
    assert rule.status == "failed"
    assert rule.reason_nl == "Minimaal 2 lokale besturen in het consortium, er is er 1 (Teststad)."
    pair = app_factory(partners=(Partner(refnis=VGC),))
    assert (
        check_eligibility(call, pair, EligibilityContext(municipalities=toy))
        .rule("partnership_minimum")
        .status
        == "passed"
    )


def test_an_intercommunale_counts_for_the_municipalities_it_represents(app_factory, toy):
    call = preset_call("city-of-things-2023")
    ctx = EligibilityContext(municipalities=toy)
    intercommunale = Partner(
        organisation_id=3, organisation_type="intercommunale", represents=("90003", "90004")
    )
    app = app_factory(partners=(intercommunale,))
    rule = check_eligibility(call, app, ctx).rule("partnership_minimum")
    assert rule.status == "passed" and rule.details["members"] == ["90001", "90003", "90004"]
    assert "Vertegenwoordigd door een intercommunale: Klein-Twee, Klein-Drie" in rule.reason_nl
    # A company that claims to represent municipalities counts for none of them.
    company = Partner(organisation_id=4, organisation_type="company", represents=("90003",))
    alone = check_eligibility(call, app_factory(partners=(company,)), ctx)
    assert alone.rule("partnership_minimum").status == "failed"


def test_a_brussels_municipality_does_not_count_toward_a_flemish_minimum(app_factory, toy):
    call = preset_call("city-of-things-2023")
    ctx = EligibilityContext(municipalities=toy)
    with_brussels = app_factory(partners=(Partner(refnis="21004"),))
    rule = check_eligibility(call, with_brussels, ctx).rule("partnership_minimum")
    assert rule.status == "failed" and rule.details["not_counted"] == ["21004"]
    assert "Brusselse gemeenten tellen niet mee" in rule.reason_nl
    with_vgc = app_factory(partners=(Partner(refnis="21004"), Partner(refnis=VGC)))
    assert check_eligibility(call, with_vgc, ctx).rule("partnership_minimum").status == "passed"


def _custom_call(**rules):
    return replace(preset_call("city-of-things-2022"), **rules)


@pytest.mark.parametrize(
    ("rule", "call_rules", "at_limit", "one_cent_beyond"),
    [
        # 8.2 % of €250,000 is exactly €20,500 (floats made it €20,499.99 and refused it).
        ("max_subsidy_pct", {"max_subsidy_pct": 8.2}, (2_050_000, 25_000_000), (2_050_001, 25_000_000)),
        ("max_subsidy_pct", {"max_subsidy_pct": 80}, (16_000_000, 20_000_000), (16_000_001, 20_000_000)),
        # A 30 % minimum on €100,000.10: €30,000.03 is the smallest own share that suffices.
        (
            "min_cofinancing_pct",
            {"min_cofinancing_pct": 30},
            (7_000_007, 10_000_010),
            (7_000_008, 10_000_010),
        ),
        (
            "min_cofinancing_pct",
            {"min_cofinancing_pct": 8.2},
            (22_950_000, 25_000_000),
            (22_950_001, 25_000_000),
        ),
        ("max_grant", {"max_grant_cents": 20_000_000}, (20_000_000, 30_000_000), (20_000_001, 30_000_000)),
        (
            "call_budget",
            {"total_budget_cents": 50_000_000, "max_grant_cents": None},
            (50_000_000, 60_000_000),
            (50_000_001, 60_000_000),
        ),
    ],
)
def test_money_rules_are_exact_at_the_limit_and_one_cent_beyond(
    app_factory, toy, rule, call_rules, at_limit, one_cent_beyond
):
    call = _custom_call(**call_rules)
    ctx = EligibilityContext(municipalities=toy)
    for (grant, total), expected in ((at_limit, "passed"), (one_cent_beyond, "failed")):
        app = app_factory(requested_grant_cents=grant, total_budget_cents=total)
        assert check_eligibility(call, app, ctx).rule(rule).status == expected, (grant, total)


def test_min_grant_is_exact_at_the_limit_and_one_cent_below(app_factory, toy):
    call = preset_call("slim-in-de-stad-2019")
    ctx = EligibilityContext(municipalities=toy)
    at = app_factory(requested_grant_cents=14_500_000, total_budget_cents=30_000_000)
    below = app_factory(requested_grant_cents=14_499_999, total_budget_cents=30_000_000)
    assert check_eligibility(call, at, ctx).rule("min_grant").status == "passed"
    assert check_eligibility(call, below, ctx).rule("min_grant").status == "failed"


def test_the_reason_names_the_exact_limit(app_factory, toy):
    call = _custom_call(max_subsidy_pct=8.2)
    app = app_factory(requested_grant_cents=2_050_000, total_budget_cents=25_000_000)
    rule = check_eligibility(call, app, EligibilityContext(municipalities=toy)).rule("max_subsidy_pct")
    assert "(= €20.500)" in rule.reason_nl and "(= €20,500)" in rule.reason_en
    assert rule.details["limit_cents"] == 2_050_000


def test_scaling_call_needs_a_prior_project_and_verifies_an_unknown_one(app_factory, toy, prior):
    call = preset_call("city-of-things-2023")
    ctx = EligibilityContext(municipalities=toy, projects=prior)
    none = check_eligibility(call, app_factory(), ctx)
    unknown = check_eligibility(call, app_factory(prior_projects=(99,)), ctx).rule("prior_project")
    cited = app_factory(prior_project_references=("Slimme verlichting Voorbeeldstad, EFRO 2019",))
    referenced = check_eligibility(call, cited, ctx)
    known = check_eligibility(call, app_factory(prior_projects=(1,)), ctx).rule("prior_project")
    assert none.rule("prior_project").status == "failed" and not none.eligible
    # Not in the registry: the secretariat verifies it; the application is not rejected for it.
    assert unknown.status == "to_verify" and unknown.passed is None
    assert unknown.details["references"] == ["#99"]
    rule = referenced.rule("prior_project")
    assert rule.status == "to_verify" and "Slimme verlichting Voorbeeldstad" in rule.reason_nl
    assert referenced.to_verify == (rule,) and referenced.to_dict()["to_verify"] is True
    assert "prior_project" not in {r.code for r in referenced.failed}
    assert known.status == "passed" and "Slimme parkeerpalen" in known.reason_nl


def test_oslo_and_vloca_where_required(app_factory, toy, prior):
    call = preset_call("city-of-things-2023")
    ctx = EligibilityContext(municipalities=toy, projects=prior)
    plain = check_eligibility(call, app_factory(prior_projects=(1,)), ctx)
    assert plain.rule("oslo").status == "failed" and plain.rule("vloca").status == "failed"
    aligned = app_factory(
        prior_projects=(1,), deliverables=Deliverables(oslo=("OSLO Mobiliteit",), vloca=True)
    )
    result = check_eligibility(call, aligned, ctx)
    assert result.rule("oslo").status == "passed" and result.rule("vloca").status == "passed"
    assert result.eligible


def test_domains_restricted_by_a_custom_call(app_factory, toy):
    call = replace(preset_call("city-of-things-2022"), allowed_domains=("environment",))
    rule = check_eligibility(call, app_factory(), EligibilityContext(municipalities=toy)).rule(
        "domain_allowed"
    )
    assert rule.status == "failed" and rule.details["outside"] == ["mobility"]


def test_deadline(app_factory, toy):
    call = preset_call("city-of-things-2023")
    on_time = EligibilityContext(municipalities=toy, submitted_on=date(2023, 6, 30))
    late = EligibilityContext(municipalities=toy, submitted_on=date(2023, 7, 1))
    assert check_eligibility(call, app_factory(), on_time).rule("deadline").status == "passed"
    rule = check_eligibility(call, app_factory(), late).rule("deadline")
    assert rule.status == "failed" and rule.reason_nl == "Deadline 30/06/2023, ingediend op 01/07/2023."


def test_double_funding_flag_above_threshold_only(app_factory, toy):
    call = preset_call("city-of-things-2022")
    similar = [(12, "Slimme parkeerpalen", 0.71), (13, "Luchtmeetnet", 0.2)]
    above = EligibilityContext(municipalities=toy, similar_funded=similar, double_funding_threshold=0.6)
    below = EligibilityContext(municipalities=toy, similar_funded=similar, double_funding_threshold=0.75)
    flagged = check_eligibility(call, app_factory(), above)
    rule = flagged.rule("double_funding")
    assert rule.status == "flagged" and rule.passed is False
    assert rule.details["matches"] == [{"project_id": 12, "title": "Slimme parkeerpalen", "score": 0.71}]
    assert "Slimme parkeerpalen" in rule.reason_nl and "0.71" in rule.reason_en
    assert flagged.eligible  # a flag asks for a human check; it does not exclude by itself
    assert flagged.to_dict()["flagged"] is True
    clear = check_eligibility(call, app_factory(), below).rule("double_funding")
    assert clear.status == "passed" and clear.details["highest"] == 0.71


def test_double_funding_at_the_threshold_is_flagged(app_factory, toy):
    ctx = EligibilityContext(municipalities=toy, similar_funded=[(1, "A", 0.6)], double_funding_threshold=0.6)
    rule = check_eligibility(preset_call("city-of-things-2022"), app_factory(), ctx).rule("double_funding")
    assert rule.status == "flagged"


def test_double_funding_with_the_real_text_index(app_factory, toy):
    """A near-copy of a 2017 project is flagged, an unrelated idea is not (matching.similar)."""
    from matching import similar
    from matching.registry import Project

    titles = [  # seed 004 Table 19 (City of Things 2017)
        "Parkeerinformatie",
        "Museum of Things for People",
        "Slim beheer openbaar domein",
        "Wegdekkwaliteitsinspectie",
        "Gemeentelijk sensornetwerk voor luchtkwaliteitsmetingen",
        "Geconnecteerde openbare verlichting op fietspaden",
        "Slim gemeentevuil",
        "Burenondersteuning",
        "Slimme mobipunten",
        "Oases van rust",
    ]
    projects = [Project(i, t, "", "City of Things", 2017) for i, t in enumerate(titles, 1)]
    index = similar.ProjectIndex.build(projects)
    by_id = {p.id: p.title for p in projects}

    def rule_for(text):
        found = [(pid, by_id[pid], s) for pid, s in index.similar_to_text(text, limit=5)]
        ctx = EligibilityContext(
            municipalities=toy,
            similar_funded=found,
            double_funding_threshold=similar.DOUBLE_FUNDING_THRESHOLD,
        )
        app = app_factory(title=text)
        return check_eligibility(preset_call("city-of-things-2022"), app, ctx).rule("double_funding")

    copy = rule_for("Gemeentelijk sensornetwerk voor luchtkwaliteitsmeting")
    assert copy.status == "flagged"
    assert copy.details["matches"][0]["title"] == ("Gemeentelijk sensornetwerk voor luchtkwaliteitsmetingen")
    assert rule_for("Digitale bibliotheekpas voor senioren").status == "passed"


def test_eligibility_json_shape(app_factory, toy):
    d = check_eligibility(
        preset_call("city-of-things-2022"), app_factory(), EligibilityContext(municipalities=toy)
    ).to_dict()
    assert set(d) == {"eligible", "flagged", "to_verify", "rules"}
    assert {"code", "passed", "reason", "reason_nl", "reason_en", "status", "details"} == set(d["rules"][0])
