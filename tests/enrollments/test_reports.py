"""The bilan de l'action (services and selectors): figures from known attendance, the workflow cell by cell, every
guard with no change, figures stored at submission, who is told, and the lists."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.catalog.models import Slot
from parcours.enrollments import reports
from parcours.enrollments.enums import SessionReportStatus
from parcours.enrollments.models import AttendanceSheet, SessionReport
from parcours.enrollments.reports import REPORT_WORKFLOW, ReportRefused
from parcours.notifications.models import Notification
from parcours.workflows.engine import TransitionRefused, transition_run
from parcours.workflows.models import TransitionLog
from tests.catalog.factories import ProgrammeFactory, SessionFactory, TrainingActionFactory
from tests.enrollments.factories import EnrollmentFactory, cast, operator_staff
from tests.enrollments.factories_reports import A, E, P, SessionReportFactory, U, add_third_slot, attend, end_session
from tests.helpers.outbox import emails_to

pytestmark = pytest.mark.django_db

R = SessionReportStatus
RESULTS = "Neuf stagiaires sur dix ont atteint les objectifs ; deux certifications obtenues."


@pytest.fixture(autouse=True)
def _registered():
    reports.register()


@pytest.fixture
def people():
    """cast()'s people around a session of three half-days (3.5 h, 3.5 h, 1.75 h: 8.75 h) that ended 5 days ago."""
    people = cast()
    add_third_slot(people.session)
    end_session(people.session, days_ago=5)
    return people


def enroll(people, **kwargs):
    kwargs.setdefault("employer", people.employer)
    kwargs.setdefault("state", "enrolled")
    return EnrollmentFactory(session=people.session, programme=people.programme, **kwargs)


@pytest.fixture
def trio(people):
    """Three enrolled trainees of the programme, every sheet closed: 8.75 h, 3.5 h and 3.5 h attended."""
    first = enroll(people, beneficiary=people.beneficiary)
    second = enroll(people)
    third = enroll(people)
    attend(first, (P, P, P))
    attend(second, (P, A, E))
    attend(third, (U, P, None))
    return first, second, third


def submit(people, actor=None, **texts):
    texts.setdefault("results", RESULTS)
    return reports.report_submit(
        session=people.session, programme=people.programme, actor=actor or people.provider_referent, **texts
    )


def write(people, service: str, results: str):
    """Save a draft or submit, as the provider's référent."""
    if service == "submit":
        return submit(people, results=results)
    return reports.report_save(
        session=people.session, programme=people.programme, actor=people.provider_referent, results=results
    )


def _logs(report):
    return TransitionLog.objects.filter(object_id=report.public_id)


# Figures ---------------------------------------------------------------------------------------------------------


def test_figures_count_the_programmes_enrolled_trainees_and_their_present_half_days(people, trio):
    # Not counted: a trainee of another programme of the same action, a cancelled one, a waiting one.
    other_programme = ProgrammeFactory()
    people.action.programmes.add(other_programme)
    outsider = EnrollmentFactory(session=people.session, programme=other_programme, enrolled=True)
    attend(outsider, (P, P, P))
    cancelled = enroll(people, state="cancelled")
    attend(cancelled, (P, P, P))
    enroll(people, state="waitlisted")

    figures = reports.report_figures(session=people.session, programme=people.programme)

    assert figures.trainees == 3
    assert figures.planned_minutes == 3 * 525  # 8.75 h × 3
    assert figures.planned_hours == Decimal("26.25")
    assert figures.attended_hours == Decimal("15.75")  # 8.75 + 3.5 + 3.5
    assert figures.rate == Decimal("60.0")


def test_figures_without_trainees_or_timetable_have_no_rate(people):
    figures = reports.report_figures(session=people.session, programme=people.programme)
    assert (figures.trainees, figures.planned_hours, figures.attended_hours, figures.rate) == (0, 0, 0, None)


def test_figures_take_three_queries_whatever_the_number_of_trainees(people, django_assert_max_num_queries):
    for _ in range(12):
        attend(enroll(people), (P, A, P))
    with django_assert_max_num_queries(3):
        figures = reports.report_figures(session=people.session, programme=people.programme)
    assert figures.attended_hours == Decimal("12") * Decimal("5.25")


def test_ended_q_follows_the_last_half_days_end(people):
    session = people.session
    last = session.slots.order_by("-date", "-ends_at").first()
    end = datetime.datetime.combine(last.date, last.ends_at, tzinfo=timezone.get_current_timezone())

    assert reports.session_is_ended(session, end)
    assert not reports.session_is_ended(session, end - datetime.timedelta(seconds=1))
    # Without any half-day, the session ends with its last day.
    Slot.objects.filter(session=session).delete()
    day_after = datetime.datetime.combine(
        session.ends_on + datetime.timedelta(days=1), datetime.time(0), tzinfo=timezone.get_current_timezone()
    )
    assert reports.session_is_ended(session, day_after)
    assert not reports.session_is_ended(session, day_after - datetime.timedelta(minutes=1))


# The workflow, cell by cell --------------------------------------------------------------------------------------

CELLS = [(state, action) for state in R.values for action in REPORT_WORKFLOW.actions()]
ACTORS = {"submit": "provider_manager", "request_changes": "operator_staff", "accept": "operator_staff"}
WRONG_ACTORS = {
    "submit": ["trainer", "beneficiary", "employer_referent", "operator_staff", "other_provider_referent", "outsider"],
    "request_changes": ["provider_referent", "trainer", "other_operator_staff", "employer_manager", "outsider"],
    "accept": ["provider_manager", "trainer", "other_operator_staff", "beneficiary", "outsider"],
}


def _report_in(people, state):
    return SessionReportFactory(session=people.session, programme=people.programme, status=state, results=RESULTS)


def test_the_table_covers_every_state_and_is_a_function():
    sources = {source for transition in REPORT_WORKFLOW.transitions for source in transition.sources}
    targets = {transition.target for transition in REPORT_WORKFLOW.transitions}
    assert sources | targets == set(R.values)
    pairs = [(source, t.action) for t in REPORT_WORKFLOW.transitions for source in t.sources]
    assert len(pairs) == len(set(pairs))
    assert set(ACTORS) == set(REPORT_WORKFLOW.actions())
    # Accepted is final: nothing leaves it.
    assert R.ACCEPTED not in sources


@pytest.mark.parametrize(("state", "action"), CELLS, ids=[f"{s}-{a}" for s, a in CELLS])
def test_every_cell_of_the_matrix(people, trio, state, action):
    report = _report_in(people, state)
    transition = REPORT_WORKFLOW.find(state, action)
    actor = getattr(people, ACTORS[action])
    reason = "Précisez les résultats par objectif."

    if transition is None:
        with pytest.raises(TransitionRefused):
            transition_run(REPORT_WORKFLOW, report, action, actor=actor, reason=reason)
        report.refresh_from_db()
        assert report.status == state
        assert not _logs(report).exists()
        assert not Notification.objects.exists()
        return

    transition_run(REPORT_WORKFLOW, report, action, actor=actor, reason=reason)

    report.refresh_from_db()
    assert report.status == transition.target
    log = _logs(report).get()
    assert (log.action, log.from_state, log.to_state, log.actor) == (action, state, transition.target, actor)
    assert AuditEvent.objects.filter(event_type=f"session_report.{action}", target_id=str(report.public_id)).exists()
    # The other side is told, never the one who acted.
    told = set(Notification.objects.values_list("user_id", flat=True))
    if action == "submit":
        assert told == {people.operator_staff.pk}
    else:
        assert told == {people.provider_referent.pk, people.provider_manager.pk}


@pytest.mark.parametrize(
    ("state", "action", "role"),
    [(t.sources[0], t.action, role) for t in REPORT_WORKFLOW.transitions for role in WRONG_ACTORS[t.action]],
)
def test_the_wrong_person_is_refused_and_nothing_changes(people, trio, state, action, role):
    report = _report_in(people, state)

    with pytest.raises(TransitionRefused, match="Vous ne pouvez pas"):
        transition_run(REPORT_WORKFLOW, report, action, actor=getattr(people, role), reason="Motif")

    report.refresh_from_db()
    assert report.status == state
    assert not _logs(report).exists()
    assert not Notification.objects.exists()


# Writing and submitting ------------------------------------------------------------------------------------------


def test_a_draft_is_created_then_updated_and_stays_a_draft(people, trio):
    report = reports.report_save(
        session=people.session,
        programme=people.programme,
        actor=people.provider_manager,
        results="  Premiers résultats.  ",
        comments="À compléter.",
    )
    assert (report.status, report.results, report.comments, report.provider) == (
        R.DRAFT,
        "Premiers résultats.",
        "À compléter.",
        people.provider,
    )

    again = reports.report_save(
        session=people.session,
        programme=people.programme,
        actor=people.provider_referent,
        results=RESULTS,
        difficulties="Deux absences non justifiées.",
    )

    assert again.pk == report.pk
    report.refresh_from_db()
    assert (report.results, report.comments, report.difficulties) == (RESULTS, "", "Deux absences non justifiées.")
    assert report.submitted_at is None
    assert report.trainees_count == 0
    assert not _logs(report).exists()
    assert not Notification.objects.exists()


def test_submitting_stores_the_figures_as_computed_then_and_tells_the_operator(
    people, trio, django_capture_on_commit_callbacks
):
    colleague = operator_staff(people.programme.operator)

    with django_capture_on_commit_callbacks(execute=True):
        report = submit(people, comments="Groupe assidu.")

    report.refresh_from_db()
    assert report.status == R.SUBMITTED
    assert (report.trainees_count, report.planned_hours, report.attended_hours, report.attendance_rate) == (
        3,
        Decimal("26.25"),
        Decimal("15.75"),
        Decimal("60.0"),
    )
    assert report.submitted_at is not None
    assert (report.results, report.comments) == (RESULTS, "Groupe assidu.")
    # The operator's staff (not another operator's) are told, in the app and by email.
    notices = Notification.objects.filter(category=reports.CATEGORY_TO_REVIEW)
    assert set(notices.values_list("user_id", flat=True)) == {people.operator_staff.pk, colleague.pk}
    notice = notices.first()
    assert notice.title == "Un bilan de l'action est à examiner"
    assert "Formations Durand" in notice.body
    assert "Gestion de projet" in notice.body
    assert notice.url == f"/bilans/operateur/{report.public_id}/"
    [email] = emails_to(people.operator_staff.email)
    assert email.subject == "Un bilan de l'action est à examiner"
    assert f"/bilans/operateur/{report.public_id}/" in email.body_text
    assert not emails_to(people.other_operator_staff.email)

    # What happens to the attendance afterwards does not change what was sent.
    first = trio[0]
    first.attendance.update(status=A)
    report.refresh_from_db()
    assert report.attended_hours == Decimal("15.75")


def test_changes_requested_then_resubmitted_with_new_figures_then_accepted(
    people, trio, django_capture_on_commit_callbacks
):
    report = submit(people)

    with django_capture_on_commit_callbacks(execute=True):
        reports.report_request_changes(
            report=report, actor=people.operator_staff, reason="  Détaillez les résultats par objectif.  "
        )

    report.refresh_from_db()
    assert report.status == R.CHANGES_REQUESTED
    assert report.operator_comment == "Détaillez les résultats par objectif."
    notice = Notification.objects.get(user=people.provider_referent)
    assert notice.title == "L'opérateur demande des modifications du bilan de l'action"
    assert "Détaillez les résultats par objectif." in notice.body
    assert notice.url == f"/bilans/session/{people.session.public_id}/programme/{people.programme.public_id}/"
    assert len(emails_to(people.provider_manager.email)) == 1

    # The provider corrects (a trainee's attendance was corrected meanwhile) and sends it again.
    trio[1].attendance.filter(sheet__slot__starts_at=datetime.time(13, 30)).update(status=P)
    reports.report_save(
        session=people.session, programme=people.programme, actor=people.provider_referent, results="Détaillés."
    )
    submit(people, results="Objectif 1 : atteint par tous.")
    report.refresh_from_db()
    assert report.status == R.SUBMITTED
    assert report.results == "Objectif 1 : atteint par tous."
    assert report.attended_hours == Decimal("19.25")
    assert Notification.objects.filter(title="Un bilan de l'action modifié est à examiner").count() == 1

    reports.report_accept(report=report, actor=people.operator_staff)

    report.refresh_from_db()
    assert report.status == R.ACCEPTED
    assert report.decided_by == people.operator_staff
    assert report.decided_at is not None
    assert Notification.objects.filter(user=people.provider_manager, title="Le bilan de l'action est accepté").exists()
    assert list(_logs(report).order_by("occurred_at", "pk").values_list("action", flat=True)) == [
        "submit",
        "request_changes",
        "submit",
        "accept",
    ]


# Guards: a clear message and no change ---------------------------------------------------------------------------


def _unchanged(people, before: SessionReport | None):
    if before is None:
        assert not SessionReport.objects.exists()
    else:
        after = SessionReport.objects.get(pk=before.pk)
        assert (after.status, after.results, after.comments, after.difficulties, after.updated_at) == (
            before.status,
            before.results,
            before.comments,
            before.difficulties,
            before.updated_at,
        )
    assert not TransitionLog.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("service", ["save", "submit"])
def test_nothing_before_the_session_has_ended(people, trio, service):
    last = people.session.slots.order_by("-date", "-starts_at").first()
    Slot.objects.filter(pk=last.pk).update(date=timezone.localdate() + datetime.timedelta(days=1))

    with pytest.raises(ReportRefused) as refused:
        write(people, service, RESULTS)

    assert str(refused.value) == "La session n'est pas terminée : le bilan se rédige après sa fin."
    _unchanged(people, None)


def test_a_session_ending_later_today_is_not_ended_until_its_last_half_day_ends(people, trio, time_machine):
    last = people.session.slots.order_by("-date", "-starts_at").first()
    end = datetime.datetime.combine(last.date, last.ends_at, tzinfo=timezone.get_current_timezone())
    time_machine.move_to(end - datetime.timedelta(minutes=1), tick=False)

    with pytest.raises(ReportRefused, match="pas terminée"):
        submit(people)
    _unchanged(people, None)

    time_machine.move_to(end, tick=False)
    assert submit(people).status == R.SUBMITTED


def test_an_open_attendance_sheet_blocks_the_submission_and_rolls_the_texts_back(people, trio):
    draft = reports.report_save(
        session=people.session, programme=people.programme, actor=people.provider_referent, results="Brouillon."
    )
    sheet = AttendanceSheet.objects.filter(slot__session=people.session).order_by("slot__date", "slot__starts_at")[1]
    sheet.closed_at = None
    sheet.save()

    with pytest.raises(ReportRefused) as refused:
        submit(people, results="Version finale.")

    assert str(refused.value) == (
        f"La feuille d'émargement du {sheet.slot} est encore ouverte : fermez-la avant de transmettre le bilan, "
        "les heures suivies en dépendent."
    )
    _unchanged(people, draft)


def test_no_results_no_submission(people, trio):
    with pytest.raises(ReportRefused, match="Décrivez les résultats obtenus"):
        submit(people, results="   ")
    _unchanged(people, None)


def test_no_enrolled_trainee_of_the_programme_no_report(people):
    enroll(people, state="cancelled")
    with pytest.raises(ReportRefused, match="Aucune personne de ce programme"):
        reports.report_save(
            session=people.session, programme=people.programme, actor=people.provider_referent, results=RESULTS
        )
    _unchanged(people, None)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (R.SUBMITTED, "Le bilan est transmis à l'opérateur : il ne peut plus être modifié"),
        (R.ACCEPTED, "Le bilan est accepté par l'opérateur : il ne peut plus être modifié."),
    ],
)
@pytest.mark.parametrize("service", ["save", "submit"])
def test_a_sent_or_accepted_report_is_not_edited(people, trio, state, message, service):
    report = _report_in(people, state)

    with pytest.raises(ReportRefused) as refused:
        write(people, service, "Autre")

    assert str(refused.value).startswith(message)
    _unchanged(people, report)


@pytest.mark.parametrize("role", ["trainer", "other_provider_referent", "operator_staff", "employer_referent"])
def test_only_the_providers_referents_and_managers_write(people, trio, role):
    with pytest.raises(PermissionDenied):
        reports.report_save(
            session=people.session, programme=people.programme, actor=getattr(people, role), results=RESULTS
        )
    _unchanged(people, None)


@pytest.mark.parametrize("state", [R.DRAFT, R.CHANGES_REQUESTED, R.ACCEPTED])
def test_the_operator_decides_only_on_a_submitted_report(people, trio, state):
    report = _report_in(people, state)

    with pytest.raises(ReportRefused, match="Ce bilan n'attend pas de décision"):
        reports.report_accept(report=report, actor=people.operator_staff)
    with pytest.raises(ReportRefused, match="Ce bilan n'attend pas de décision"):
        reports.report_request_changes(report=report, actor=people.operator_staff, reason="Motif")

    _unchanged(people, report)


def test_a_request_for_changes_needs_its_reason(people, trio):
    report = _report_in(people, R.SUBMITTED)
    with pytest.raises(ReportRefused, match="Indiquez les modifications attendues"):
        reports.report_request_changes(report=report, actor=people.operator_staff, reason="  ")
    _unchanged(people, report)


@pytest.mark.parametrize("role", ["other_operator_staff", "provider_referent", "outsider"])
def test_another_operator_or_the_provider_cannot_decide(people, trio, role):
    report = _report_in(people, R.SUBMITTED)
    with pytest.raises(PermissionDenied):
        reports.report_accept(report=report, actor=getattr(people, role))
    with pytest.raises(PermissionDenied):
        reports.report_request_changes(report=report, actor=getattr(people, role), reason="Motif")
    _unchanged(people, report)


# Lists -----------------------------------------------------------------------------------------------------------


def _pairs(provider, **kwargs):
    return [
        (pair["session_id"], pair["programme_id"], pair["trainees"])
        for pair in reports.provider_report_pairs(provider, **kwargs)
    ]


def test_the_providers_list_holds_ended_sessions_with_enrolled_trainees_per_programme(people, trio):
    # A second programme in the same session, already submitted: "sent".
    second = ProgrammeFactory(name="Programme régional")
    people.action.programmes.add(second)
    EnrollmentFactory(session=people.session, programme=second, enrolled=True)
    SessionReportFactory(session=people.session, programme=second, submitted=True)
    # Not listed: a session to come, an ended one without enrolled trainees, another provider's.
    upcoming = SessionFactory(action=people.action)
    EnrollmentFactory(session=upcoming, enrolled=True)
    empty = end_session(SessionFactory(action=people.action), days_ago=20)
    EnrollmentFactory(session=empty, cancelled=True)
    elsewhere = end_session(SessionFactory(), days_ago=3)
    EnrollmentFactory(session=elsewhere, enrolled=True)
    # An older ended session of the provider with a draft: to write, after the latest.
    older = end_session(SessionFactory(action=people.action), days_ago=40)
    EnrollmentFactory(session=older, programme=people.programme, enrolled=True)
    SessionReportFactory(session=older, programme=people.programme)

    assert _pairs(people.provider, sent=False) == [
        (people.session.pk, people.programme.pk, 3),
        (older.pk, people.programme.pk, 1),
    ]
    assert _pairs(people.provider, sent=True) == [(people.session.pk, second.pk, 1)]
    rows = reports.report_rows(reports.provider_report_pairs(people.provider, sent=False))
    assert [(row.status_label, row.trainees) for row in rows] == [("À rédiger", 3), ("Brouillon", 1)]


def test_a_trainer_lists_only_the_sessions_they_train(people, trio):
    other = end_session(SessionFactory(action=people.action), days_ago=8)
    EnrollmentFactory(session=other, programme=people.programme, enrolled=True)

    assert [pair[0] for pair in _pairs(people.provider, sent=False, trainer=people.trainer)] == [people.session.pk]
    assert _pairs(people.provider, sent=False, trainer=people.provider_other_trainer) == []


def test_reports_for_session_give_each_programme_its_status(people, trio):
    second = ProgrammeFactory(name="Autre programme")
    people.action.programmes.add(second)
    EnrollmentFactory(session=people.session, programme=second, enrolled=True)
    SessionReportFactory(session=people.session, programme=second, accepted=True)

    rows = reports.reports_for_session(people.session)

    assert [(row.programme.name, row.status_label, row.trainees) for row in rows] == sorted(
        [(people.programme.name, "À rédiger", 3), ("Autre programme", "Accepté", 1)]
    )
    assert rows[0].url.startswith(f"/bilans/session/{people.session.public_id}/programme/")


def test_the_operators_list_puts_submitted_first_and_hides_drafts(people):
    operator = people.programme.operator
    sessions = [end_session(SessionFactory(action=people.action), days_ago=d) for d in (10, 20, 30, 40)]
    now = timezone.now()
    accepted = SessionReportFactory(session=sessions[0], accepted=True, submitted_at=now)
    old_submitted = SessionReportFactory(
        session=sessions[1], submitted=True, submitted_at=now - datetime.timedelta(days=3)
    )
    new_submitted = SessionReportFactory(
        session=sessions[2], submitted=True, submitted_at=now - datetime.timedelta(days=1)
    )
    SessionReportFactory(session=sessions[3])  # a draft
    # Another operator's programme.
    SessionReportFactory(
        session=end_session(SessionFactory(action=TrainingActionFactory()), days_ago=3), submitted=True
    )

    assert list(reports.operator_reports(operator)) == [new_submitted, old_submitted, accepted]
    assert list(reports.operator_reports(operator, status=R.ACCEPTED)) == [accepted]
    assert reports.operator_counts(operator) == {R.SUBMITTED: 2, R.CHANGES_REQUESTED: 0, R.ACCEPTED: 1}


def test_the_operator_sees_a_sent_report_but_never_a_draft(people):
    draft = SessionReportFactory(session=people.session)
    sent = SessionReportFactory(session=end_session(SessionFactory(action=people.action)), submitted=True)

    assert reports.report_for_review(people.operator_staff, sent.public_id) == sent
    with pytest.raises(Http404):
        reports.report_for_review(people.operator_staff, draft.public_id)
    with pytest.raises(Http404):
        reports.report_for_review(people.other_operator_staff, sent.public_id)
