"""Phases of a call: one step at a time, the deadline in Brussels time, and what each phase locks."""

from datetime import UTC, date, datetime

import pytest

from evaluation.phases import (
    PHASES,
    PhaseError,
    check_amendment,
    check_lead_may_edit,
    check_not_published,
    check_submit,
    check_transition,
    check_withdraw,
    deadline_instant,
    deadline_passed,
    next_phase,
    phase_view,
    retention_until,
)

DEADLINE = date(2023, 6, 30)
BEFORE = datetime(2023, 6, 30, 21, 0, tzinfo=UTC)  # 23:00 in Brussels (summer time)
AFTER = datetime(2023, 6, 30, 22, 0, tzinfo=UTC)  # 00:00 on 1 July in Brussels


def test_the_phases_run_in_the_order_of_the_issue():
    assert PHASES == ("draft", "pre-registration", "open", "closed", "eligibility", "jury",
                      "decided", "published")
    assert next_phase("draft") == "open"
    assert next_phase("pre-registration") == "open"
    assert next_phase("published") is None


def test_the_deadline_is_the_end_of_the_day_in_brussels():
    instant = deadline_instant(DEADLINE)
    assert instant == datetime(2023, 6, 30, 21, 59, 59, tzinfo=UTC)
    winter = deadline_instant(date(2023, 1, 31))
    assert winter == datetime(2023, 1, 31, 22, 59, 59, tzinfo=UTC)
    assert not deadline_passed(DEADLINE, BEFORE)
    assert deadline_passed(DEADLINE, AFTER)
    assert not deadline_passed(None, AFTER)


def test_a_call_steps_forward_one_phase_at_a_time():
    check_transition("draft", "open", deadline=DEADLINE, now=BEFORE)
    with pytest.raises(PhaseError) as err:
        check_transition("draft", "jury", deadline=DEADLINE, now=AFTER)
    assert err.value.field == "to"
    assert "next step is open" in err.value.message
    with pytest.raises(PhaseError, match="last phase"):
        check_transition("published", "draft")
    with pytest.raises(PhaseError, match="unknown phase"):
        check_transition("open", "finished")
    with pytest.raises(PhaseError, match="next step is closed, not draft"):
        check_transition("open", "draft")


def test_pre_registration_is_an_optional_step_before_open():
    check_transition("draft", "pre-registration")
    check_transition("draft", "open", deadline=DEADLINE, now=BEFORE)
    check_transition("pre-registration", "open", deadline=DEADLINE, now=BEFORE)
    with pytest.raises(PhaseError, match="next step is closed, not pre-registration"):
        check_transition("open", "pre-registration")
    with pytest.raises(PhaseError) as err:
        check_transition("pre-registration", "open", deadline=None)
    assert err.value.field == "deadline"


def test_a_call_opens_only_with_a_deadline_and_closes_only_after_it():
    with pytest.raises(PhaseError) as err:
        check_transition("draft", "open", deadline=None)
    assert err.value.field == "deadline"
    with pytest.raises(PhaseError, match="2023-06-30 23:59 Brussels time"):
        check_transition("open", "closed", deadline=DEADLINE, now=BEFORE)
    check_transition("open", "closed", deadline=DEADLINE, now=AFTER)


def test_the_lead_edits_only_a_draft_before_the_deadline():
    check_lead_may_edit("draft", "open", DEADLINE, BEFORE)
    with pytest.raises(PhaseError, match="submitted and locked") as err:
        check_lead_may_edit("submitted", "open", DEADLINE, BEFORE)
    assert err.value.field == "status"
    with pytest.raises(PhaseError, match="deadline"):
        check_lead_may_edit("draft", "open", DEADLINE, AFTER)
    with pytest.raises(PhaseError, match="published"):
        check_lead_may_edit("draft", "published", DEADLINE, AFTER)


def test_submission_needs_an_open_call_before_the_deadline():
    check_submit("draft", "open", DEADLINE, BEFORE)
    with pytest.raises(PhaseError, match="already submitted"):
        check_submit("submitted", "open", DEADLINE, BEFORE)
    with pytest.raises(PhaseError, match="the call is draft"):
        check_submit("draft", "draft", DEADLINE, BEFORE)
    with pytest.raises(PhaseError, match="deadline"):
        check_submit("draft", "open", DEADLINE, AFTER)


def test_withdrawal_only_before_the_deadline():
    check_withdraw("submitted", "open", DEADLINE, BEFORE)
    check_withdraw("draft", "open", DEADLINE, BEFORE)
    with pytest.raises(PhaseError, match="already withdrawn"):
        check_withdraw("withdrawn", "open", DEADLINE, BEFORE)
    with pytest.raises(PhaseError, match="deadline has passed"):
        check_withdraw("submitted", "open", DEADLINE, AFTER)
    with pytest.raises(PhaseError, match="deadline has passed"):
        check_withdraw("submitted", "closed", DEADLINE, BEFORE)


def test_amendments_only_after_the_deadline_and_before_publication():
    with pytest.raises(PhaseError, match="before the deadline"):
        check_amendment("submitted", "open", DEADLINE, BEFORE)
    check_amendment("submitted", "open", DEADLINE, AFTER)
    check_amendment("submitted", "jury", DEADLINE, BEFORE)
    with pytest.raises(PhaseError, match="only a submitted application"):
        check_amendment("withdrawn", "jury", DEADLINE, AFTER)
    with pytest.raises(PhaseError, match="published"):
        check_amendment("submitted", "published", DEADLINE, AFTER)


def test_nothing_changes_after_publication():
    for phase in PHASES[:-1]:
        check_not_published(phase)
    with pytest.raises(PhaseError) as err:
        check_not_published("published", "the eligibility", "de ontvankelijkheid")
    assert "the eligibility can no longer change" in err.value.message
    assert err.value.to_dict()["message_nl"].startswith("de resultaten")


def test_the_page_shows_the_phase_and_what_is_next():
    view = phase_view("open", DEADLINE)
    assert view.next == "closed"
    assert "deadline" in view.next_en
    assert view.to_dict()["deadline_at"] == "2023-06-30T21:59:59+00:00"
    assert phase_view("published", None).next is None


def test_retention_runs_seven_years_after_closing_by_default():
    closed = datetime(2023, 7, 1, 9, 0, tzinfo=UTC)
    assert retention_until(closed) == date(2030, 7, 1)
    assert retention_until(closed, years=1) == date(2024, 7, 1)
    assert retention_until(datetime(2024, 2, 29, tzinfo=UTC), 1) == date(2025, 3, 1)
