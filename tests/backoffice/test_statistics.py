"""The operators' statistics computed from known data: requests per month, decisions from the transition log,
enrollments, hours and attendance, satisfaction from the surveys that reach the threshold each; a fixed number
of queries."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db.models import F
from django.utils import timezone

from parcours.backoffice.statistics import (
    DECISION_KINDS,
    Period,
    key_figures,
    not_shown_label,
    satisfaction_detail,
    statistics_compute,
    statistics_programmes,
    statistics_tables,
)
from parcours.catalog.enums import HalfDay
from parcours.enrollments.enums import AttendanceStatus, EnrollmentState
from parcours.enrollments.hours import attendance_rate, attended_minutes_by_enrollment, planned_minutes_by_session
from parcours.enrollments.models import (
    AttendanceRecord,
    AttendanceSheet,
    SatisfactionSurvey,
    SurveyAnswer,
    SurveyResponse,
)
from parcours.enrollments.services import enrollment_decide, enrollment_request
from parcours.enrollments.workflows import ENROLLMENT_WORKFLOW
from parcours.organisations.models import Role
from parcours.workflows.models import TransitionLog
from tests.catalog.factories import ProgrammeFactory, SessionFactory, SlotFactory, TrainingActionFactory
from tests.enrollments.factories import EnrollmentFactory
from tests.organisations.factories import EmployerFactory, OperatorFactory, ProviderFactory, member

pytestmark = pytest.mark.django_db

S = EnrollmentState
P, A = AttendanceStatus.PRESENT, AttendanceStatus.ABSENT
PERIOD = Period(datetime.date(2025, 1, 1), datetime.date(2025, 6, 30))
TARGETS = {transition.action: transition.target for transition in ENROLLMENT_WORKFLOW.transitions}


# --- Builders (the view tests use them too) ------------------------------------------------------------------


def paris(*args) -> datetime.datetime:
    """An instant given in Paris time (the project's time zone)."""
    return timezone.make_aware(datetime.datetime(*args))


def session_of(programme, *, ends_on: datetime.date, provider=None, slots=True):
    """A past two-day session; with `slots`, the factory's two half-days of 3.5 h on its first day."""
    action = TrainingActionFactory(provider=provider or ProviderFactory(), programmes=[programme])
    starts_on = ends_on - datetime.timedelta(days=1)
    return SessionFactory(
        action=action,
        starts_on=starts_on,
        ends_on=ends_on,
        registration_deadline=starts_on - datetime.timedelta(days=7),
        slots=slots,
    )


def enrollment(session, programme, *, state=S.PENDING_EMPLOYER, created_at=None, employer=None):
    """A request; unless told, filed before PERIOD (it then counts in no request figure)."""
    return EnrollmentFactory(
        session=session,
        programme=programme,
        state=state,
        created_at=created_at or paris(2024, 11, 4, 10),
        employer=employer or EmployerFactory(),
    )


def log(enrollment_row, action: str, when: datetime.datetime) -> TransitionLog:
    """A transition as the workflow's engine writes it (the state is not changed: only the log is read)."""
    return TransitionLog.objects.create(
        workflow=ENROLLMENT_WORKFLOW.name,
        object_type="enrollments.enrollment",
        object_id=enrollment_row.public_id,
        action=action,
        from_state=S.PENDING_PROVIDER,
        to_state=TARGETS.get(action, S.PENDING_EMPLOYER),
        occurred_at=when,
    )


def attend(enrollment_row, statuses) -> None:
    for slot, status in zip(enrollment_row.session.slots.order_by("date", "starts_at"), statuses, strict=True):
        sheet, _ = AttendanceSheet.objects.get_or_create(slot=slot)
        AttendanceRecord.objects.create(sheet=sheet, enrollment=enrollment_row, status=status)


def survey(session, programme, scores_by_response) -> SatisfactionSurvey:
    """A closed anonymous survey; each response is a list of 1–5 scores (None: a text answer only)."""
    row = SatisfactionSurvey.objects.create(
        session=session,
        programme=programme,
        questions=[
            {"key": "q1", "kind": "scale", "label": "Satisfaction générale", "choices": [], "required": True},
            {"key": "q2", "kind": "scale", "label": "Qualité du formateur", "choices": [], "required": False},
            {"key": "q3", "kind": "text", "label": "Commentaire", "choices": [], "required": False},
        ],
        is_anonymous=True,
        closes_at=timezone.now(),
        answered_count=len(scores_by_response),
    )
    for scores in scores_by_response:
        response = SurveyResponse.objects.create(survey=row, submitted_on=session.ends_on)
        for key, score in zip(("q1", "q2"), scores or [], strict=False):
            SurveyAnswer.objects.create(response=response, question_key=key, scale_value=score)
        SurveyAnswer.objects.create(response=response, question_key="q3", text_value="Très bien, merci.")
    return row


def build_dataset(operator, other_operator) -> SimpleNamespace:
    """Two programmes of `operator`, one of `other_operator`, and rows inside and outside PERIOD.

    Expected for both programmes over PERIOD: requests Jan 3, Feb 1, Mar 1, Jun 1 (6); decisions
    employer_approve 3, employer_refuse 1, provider_validate 2, provider_refuse 1, provider_waitlist 1,
    cancel 2, session_cancelled 1; enrolled 4 (2 validations, a promotion, an automatic enrollment);
    hours: 3 trainees, 945 minutes planned, 735 attended (77.8 %); satisfaction: the March survey only (6
    responses, 5 of them with scores), 9 scores 1:1, 2:1, 3:1, 4:3, 5:3, average 3.7 — the June survey has 2
    responses, below the threshold of 5: its scores (three 1s) are left out.
    """
    first = ProgrammeFactory(operator=operator, name="Compétences numériques")
    second = ProgrammeFactory(operator=operator, name="Langues étrangères")
    foreign = ProgrammeFactory(operator=other_operator, name="Programme du Rhône")
    employer = EmployerFactory(name="Boulangerie Martin")

    march = session_of(first, ends_on=datetime.date(2025, 3, 11))  # 7 h each
    june = session_of(second, ends_on=datetime.date(2025, 6, 30), slots=False)  # ends on the last day: in
    SlotFactory(
        session=june,
        date=june.starts_on,
        half_day=HalfDay.AFTERNOON,
        starts_at=datetime.time(14, 0),
        ends_at=datetime.time(15, 45),
    )
    july = session_of(first, ends_on=datetime.date(2025, 7, 1))  # ends the day after: out
    elsewhere = session_of(foreign, ends_on=datetime.date(2025, 3, 11))

    # Requests: the days count in Paris time (00:30 on 1 January is still 2024 in UTC).
    requests = [
        enrollment(march, first, created_at=paris(2025, 1, 1, 0, 30), employer=employer),
        enrollment(march, first, created_at=paris(2025, 1, 15, 9), employer=employer),
        enrollment(june, second, created_at=paris(2025, 1, 31, 23, 30), employer=employer),
        enrollment(march, first, created_at=paris(2025, 2, 10, 14), employer=employer),
        enrollment(july, first, created_at=paris(2025, 3, 3, 11), employer=employer),
        enrollment(july, first, created_at=paris(2025, 6, 30, 23, 30), employer=employer),
    ]
    before = enrollment(march, first, created_at=paris(2024, 12, 31, 23, 30), employer=employer)
    after = enrollment(july, first, created_at=paris(2025, 7, 1, 0, 30), employer=employer)
    foreign_request = enrollment(elsewhere, foreign, created_at=paris(2025, 2, 1, 10), employer=employer)

    # Decisions, with actions that are not decisions ("request", "promote", "auto_enroll") and rows outside.
    a, b, c, d, e, f = requests
    for row, action, when in [
        (a, "request", paris(2025, 1, 1, 0, 30)),
        (a, "employer_approve", paris(2025, 1, 2, 9)),
        (b, "employer_approve", paris(2025, 1, 16, 9)),
        (d, "employer_approve", paris(2025, 2, 11, 9)),
        (e, "employer_refuse", paris(2025, 3, 4, 9)),
        (a, "provider_validate", paris(2025, 1, 3, 9)),
        (b, "provider_validate", paris(2025, 1, 17, 9)),
        (c, "provider_waitlist", paris(2025, 2, 1, 9)),
        (c, "promote", paris(2025, 2, 20, 9)),
        (d, "auto_enroll", paris(2025, 2, 12, 9)),
        (f, "provider_refuse", paris(2025, 6, 30, 23, 59)),
        (before, "cancel", paris(2025, 1, 5, 9)),
        (e, "cancel", paris(2025, 3, 5, 9)),
        (after, "session_cancelled", paris(2025, 1, 6, 9)),
        # Outside the period, or another operator's programme: not counted.
        (before, "employer_approve", paris(2024, 12, 31, 23, 59)),
        (after, "employer_approve", paris(2025, 7, 1, 0, 1)),
        (foreign_request, "provider_validate", paris(2025, 2, 2, 9)),
    ]:
        log(row, action, when)

    # Hours: enrolled trainees of the sessions that ended in the period.
    march_one = enrollment(march, first, state=S.ENROLLED, employer=employer)
    march_two = enrollment(march, first, state=S.ENROLLED, employer=employer)
    march_cancelled = enrollment(march, first, state=S.CANCELLED, employer=employer)
    june_one = enrollment(june, second, state=S.ENROLLED, employer=employer)
    july_one = enrollment(july, first, state=S.ENROLLED, employer=employer)
    foreign_one = enrollment(elsewhere, foreign, state=S.ENROLLED, employer=employer)
    attend(march_one, (P, P))
    attend(march_two, (P, A))
    attend(march_cancelled, (P, P))
    attend(june_one, (P,))
    attend(july_one, (P, P))
    attend(foreign_one, (P, P))

    # Satisfaction: a survey of 6 responses (one with a text answer only) and a survey of 2 in the period; the
    # other two reach the threshold but are outside (July) or another operator's.
    survey(march, first, [[5, 4], [4, 4], [2, 5], [1, 3], [5], None])
    survey(june, second, [[1], [1, 1]])
    survey(july, first, [[1, 1], [1], [1], [1], [1]])
    survey(elsewhere, foreign, [[1], [1], [1], [1], [1]])
    return SimpleNamespace(
        first=first,
        second=second,
        foreign=foreign,
        employer=employer,
        march=march,
        june=june,
        july=july,
        hours_enrollments=[march_one, march_two, june_one],
    )


@pytest.fixture
def dataset(settings):
    settings.PARCOURS_SURVEY_MIN_ANSWERS = 5
    operator = OperatorFactory(name="Région Île-de-France")
    return build_dataset(operator, OperatorFactory(name="Région Rhône", profile__departments=["69"]))


def _both(dataset):
    return statistics_compute(programmes=[dataset.first, dataset.second], period=PERIOD)


# --- The figures -----------------------------------------------------------------------------------------------


def test_requests_per_month_count_the_days_in_paris_time(dataset):
    stats = _both(dataset)

    assert stats.requests_by_month == [
        (datetime.date(2025, 1, 1), 3),
        (datetime.date(2025, 2, 1), 1),
        (datetime.date(2025, 3, 1), 1),
        (datetime.date(2025, 4, 1), 0),
        (datetime.date(2025, 5, 1), 0),
        (datetime.date(2025, 6, 1), 1),
    ]
    assert stats.requests == 6


def test_one_programme_counts_its_own_only(dataset):
    stats = statistics_compute(programmes=[dataset.second], period=PERIOD)

    assert stats.requests == 1
    assert dict((action, count) for action, _, count in stats.decisions)["provider_waitlist"] == 1
    assert stats.decisions_total == 1
    assert stats.enrolled == 1  # the promotion
    assert (stats.trainees, stats.planned_minutes, stats.attended_minutes) == (1, 105, 105)
    assert stats.satisfaction.responses == 0  # June's 2 responses: a survey below the threshold counts for nothing
    assert not stats.satisfaction.shown


def test_decisions_by_kind_come_from_the_transition_log(dataset):
    stats = _both(dataset)

    assert [(action, count) for action, _, count in stats.decisions] == [
        ("employer_approve", 3),
        ("employer_refuse", 1),
        ("provider_validate", 2),
        ("provider_refuse", 1),
        ("provider_waitlist", 1),
        ("cancel", 2),
        ("session_cancelled", 1),
    ]
    assert stats.decisions_total == 11
    assert [label for _, label, _ in stats.decisions][:2] == ["Accord de l'employeur", "Refus de l'employeur"]


def test_enrollments_are_the_transitions_into_enrolled(dataset):
    assert _both(dataset).enrolled == 4


def test_every_decision_kind_is_an_action_of_the_workflow():
    actions = {transition.action for transition in ENROLLMENT_WORKFLOW.transitions}

    assert set(DECISION_KINDS) <= actions


def test_hours_and_attendance_of_the_sessions_ended_in_the_period(dataset):
    stats = _both(dataset)

    assert stats.trainees == 3
    assert stats.planned_minutes == 7 * 60 + 7 * 60 + 105
    assert stats.attended_minutes == 7 * 60 + 210 + 105
    assert stats.planned_hours == Decimal("15.75")
    assert stats.attended_hours == Decimal("12.25")
    assert stats.attendance_rate == Decimal("77.8")


def test_hours_agree_with_the_hours_helpers(dataset):
    """The database sums follow the rule of enrollments.hours, which the bilan and the certificates use."""
    stats = _both(dataset)
    rows = dataset.hours_enrollments
    planned_by_session = planned_minutes_by_session({row.session_id for row in rows})
    planned = sum(planned_by_session[row.session_id] for row in rows)
    attended = sum(attended_minutes_by_enrollment([row.pk for row in rows]).values())

    assert (stats.planned_minutes, stats.attended_minutes) == (planned, attended)
    assert stats.attendance_rate == attendance_rate(attended, planned)


def shrink(survey_row, count: int) -> None:
    """Keep the survey's first `count` responses, and its counter in step (as if the others never came)."""
    kept = list(survey_row.responses.order_by("pk").values_list("pk", flat=True)[:count])
    SurveyResponse.objects.filter(survey=survey_row).exclude(pk__in=kept).delete()
    SatisfactionSurvey.objects.filter(pk=survey_row.pk).update(answered_count=count)


def _programme_with_surveys(*sizes: int):
    """A programme with one survey per size, in sessions ending in PERIOD; a survey of n responses gives n
    scores of n (so each survey's part of a distribution is told apart)."""
    programme = ProgrammeFactory(operator=OperatorFactory())
    for index, size in enumerate(sizes):
        session = session_of(programme, ends_on=datetime.date(2025, 3, 10 + index), slots=False)
        survey(session, programme, [[size] for _ in range(size)])
    return programme


def test_satisfaction_average_and_distribution(dataset):
    satisfaction = _both(dataset).satisfaction

    assert satisfaction.shown
    assert satisfaction.responses == 5  # the March survey's; the response without any score is not counted
    assert satisfaction.distribution == {1: 1, 2: 1, 3: 1, 4: 3, 5: 3}  # nothing of June's three 1s
    assert satisfaction.average == Decimal("3.7")  # 33 / 9
    assert satisfaction_detail(satisfaction) == (
        "5 réponses comptées (seuls comptent les questionnaires d'au moins 5 réponses)"
    )
    assert (
        "Réponses comptées au questionnaire de satisfaction (seuls comptent les questionnaires d'au moins 5 réponses)",
        5,
    ) in key_figures(_both(dataset))


def test_small_surveys_never_add_up_to_the_threshold(settings):
    """Two surveys of 3 make 6 responses, more than 5, but either could be isolated by comparing two selections
    (two periods, two programmes): nothing is shown, nothing is computed."""
    settings.PARCOURS_SURVEY_MIN_ANSWERS = 5
    programme = _programme_with_surveys(3, 3)

    satisfaction = statistics_compute(programmes=[programme], period=PERIOD).satisfaction

    assert SurveyResponse.objects.filter(survey__programme=programme).count() == 6
    assert not satisfaction.shown
    assert (satisfaction.responses, satisfaction.average, satisfaction.distribution) == (0, None, {})


def test_only_the_surveys_that_reach_the_threshold_are_counted(settings):
    """A survey of 5 and one of 2: the figures are the 5's alone (five 5s), not those of the 7 responses."""
    settings.PARCOURS_SURVEY_MIN_ANSWERS = 5
    programme = _programme_with_surveys(5, 2)

    satisfaction = statistics_compute(programmes=[programme], period=PERIOD).satisfaction

    assert satisfaction.shown
    assert satisfaction.responses == 5
    assert satisfaction.distribution == {1: 0, 2: 0, 3: 0, 4: 0, 5: 5}
    assert satisfaction.average == Decimal("5.0")


def test_satisfaction_below_the_threshold_is_not_even_computed(dataset):
    """The March survey down to 4 responses: with June's 2 that makes 6 in the period, in two small surveys."""
    shrink(SatisfactionSurvey.objects.get(session=dataset.march), 4)

    stats = _both(dataset)
    satisfaction = stats.satisfaction

    assert SurveyResponse.objects.filter(survey__session__in=[dataset.march, dataset.june]).count() == 6
    assert satisfaction.responses == 0
    assert not satisfaction.shown
    assert satisfaction.average is None
    assert satisfaction.distribution == {}
    assert "satisfaction" not in statistics_tables(stats)
    assert ("Satisfaction moyenne (sur 5)", not_shown_label()) in key_figures(stats)
    assert not [name for name, _ in key_figures(stats) if name.startswith("Réponses")]
    assert not_shown_label() == (
        "Non communiqué : moins de 5 réponses comptées (seuls comptent les questionnaires d'au moins 5 réponses)"
    )
    assert satisfaction_detail(satisfaction) == (
        "moins de 5 réponses comptées (seuls comptent les questionnaires d'au moins 5 réponses)"
    )


def test_a_survey_at_the_threshold_still_needs_as_many_responses_with_a_score(dataset, settings):
    """At 6, the March survey counts (6 responses) but only 5 of them gave a score: the figures would come from
    fewer responses than the threshold, so they are not given."""
    settings.PARCOURS_SURVEY_MIN_ANSWERS = 6

    satisfaction = _both(dataset).satisfaction

    assert satisfaction.responses == 5
    assert not satisfaction.shown
    assert satisfaction.average is None


def test_the_threshold_is_a_setting(dataset, settings):
    settings.PARCOURS_SURVEY_MIN_ANSWERS = 7

    assert not _both(dataset).satisfaction.shown

    settings.PARCOURS_SURVEY_MIN_ANSWERS = 5
    satisfaction = _both(dataset).satisfaction

    assert (satisfaction.shown, satisfaction.responses) == (True, 5)

    settings.PARCOURS_SURVEY_MIN_ANSWERS = 2  # June's survey of 2 counts too, with its three 1s
    satisfaction = _both(dataset).satisfaction

    assert satisfaction.responses == 7
    assert satisfaction.distribution == {1: 4, 2: 1, 3: 1, 4: 3, 5: 3}
    assert satisfaction.average == Decimal("3.0")  # 36 / 12
    assert not_shown_label() == (
        "Non communiqué : moins de 2 réponses comptées (seuls comptent les questionnaires d'au moins 2 réponses)"
    )


def test_an_empty_selection_gives_zeros():
    stats = statistics_compute(programmes=[], period=PERIOD)

    assert stats.requests == 0
    assert stats.decisions_total == 0
    assert stats.enrolled == 0
    assert (stats.trainees, stats.planned_minutes, stats.attended_minutes) == (0, 0, 0)
    assert stats.attendance_rate is None
    assert not stats.satisfaction.shown
    assert len(stats.requests_by_month) == 6


def test_the_figures_of_a_real_workflow():
    """Through the services: the action names the log holds are the ones counted."""
    operator = OperatorFactory()
    programme = ProgrammeFactory(operator=operator)
    provider = ProviderFactory()
    session = SessionFactory(action=TrainingActionFactory(provider=provider, programmes=[programme]))
    employer = EmployerFactory()
    employee = member(employer, Role.EMPLOYEE).user
    referent = member(employer, Role.REFERENT).user
    provider_referent = member(provider, Role.REFERENT).user
    requested = enrollment_request(session=session, beneficiary=employee, employer=employer, programme=programme)
    enrollment_decide(enrollment=requested, action="employer_approve", actor=referent)
    enrollment_decide(enrollment=requested, action="provider_validate", actor=provider_referent)
    refused = enrollment_request(
        session=session, beneficiary=member(employer, Role.EMPLOYEE).user, employer=employer, programme=programme
    )
    enrollment_decide(enrollment=refused, action="employer_refuse", actor=referent, reason="Pas cette année.")

    stats = statistics_compute(programmes=[programme], period=Period.default())

    assert stats.requests == 2
    counts = {action: count for action, _, count in stats.decisions}
    assert (counts["employer_approve"], counts["employer_refuse"], counts["provider_validate"]) == (1, 1, 1)
    assert stats.decisions_total == 3
    assert stats.enrolled == 1


def test_the_programmes_are_those_of_the_persons_operators():
    operator, other = OperatorFactory(), OperatorFactory(profile__departments=["69"])
    mine = ProgrammeFactory(operator=operator, name="B")
    also_mine = ProgrammeFactory(operator=operator, name="A")
    ProgrammeFactory(operator=other)
    manager = member(operator, Role.MANAGER).user
    employee = member(operator, Role.EMPLOYEE).user

    assert list(statistics_programmes(manager)) == [also_mine, mine]
    assert list(statistics_programmes(employee)) == []


def test_period_months_and_default():
    assert Period(datetime.date(2024, 11, 30), datetime.date(2025, 2, 1)).months() == [
        datetime.date(2024, 11, 1),
        datetime.date(2024, 12, 1),
        datetime.date(2025, 1, 1),
        datetime.date(2025, 2, 1),
    ]
    assert Period.default(datetime.date(2025, 8, 14)) == Period(datetime.date(2025, 1, 1), datetime.date(2025, 8, 14))
    assert PERIOD.label == "du 01/01/2025 au 30/06/2025"


# --- A fixed number of queries ------------------------------------------------------------------------------------


def _grow(dataset, times: int) -> None:
    """More of everything: requests, decisions, enrolled trainees with attendance, survey responses."""
    for index in range(times):
        row = enrollment(dataset.march, dataset.first, state=S.ENROLLED, created_at=paris(2025, 4, 1 + index, 10))
        log(row, "provider_validate", paris(2025, 4, 2 + index, 10))
        attend(row, (P, A))
        survey_row = SatisfactionSurvey.objects.get(session=dataset.march)
        response = SurveyResponse.objects.create(survey=survey_row, submitted_on=dataset.march.ends_on)
        SurveyAnswer.objects.create(response=response, question_key="q1", scale_value=1 + index % 5)
        SatisfactionSurvey.objects.filter(pk=survey_row.pk).update(answered_count=F("answered_count") + 1)


def test_the_figures_take_five_queries_whatever_the_data(dataset, django_assert_num_queries):
    with django_assert_num_queries(5):
        small = _both(dataset)

    _grow(dataset, 20)

    with django_assert_num_queries(5):
        large = _both(dataset)
    assert large.requests == small.requests + 20
    assert large.enrolled == small.enrolled + 20
    assert large.trainees == small.trainees + 20
    assert large.satisfaction.responses == small.satisfaction.responses + 20
