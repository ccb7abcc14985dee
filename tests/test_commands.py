import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command

from parcours.accounts.models import User
from parcours.organisations.models import Membership, Organisation, OrganisationRequest
from parcours.organisations.permissions import is_operator_staff
from parcours.web import demo_catalog, demo_ended, demo_running
from parcours.web.management.commands.demo import ACCOUNTS, DEMO_PASSWORD, ORGANISATION_ACCOUNTS

EVERYONE = [*ACCOUNTS, *ORGANISATION_ACCOUNTS.values()]
# The demo employer's other employees, whose requests show each state (not printed).
BACKGROUND = len(demo_catalog.EMPLOYEES)

pytestmark = pytest.mark.django_db


def test_demo_creates_confirmed_accounts_and_prints_them(capsys):
    call_command("demo")

    out = capsys.readouterr().out
    for account in EVERYONE:
        user = User.objects.get(email=account.email)
        assert authenticate(email=account.email, password=DEMO_PASSWORD) == user
        assert EmailAddress.objects.get(user=user).verified
        assert f"{account.identifiers} — mot de passe : {DEMO_PASSWORD}" in out
    assert f"demo users created={len(EVERYONE) + 1} updated=0" in out  # + the taken-over account
    assert "secret TOTP : PARCOURSDEMOTOTPSECRETKEYAAAAAAA" in out
    assert "gestionnaire (opérateur Région de démonstration, toutes les demandes) : Anne Durand" in out
    assert "secret TOTP : PARCOURSDEMOGESTIONNAIRETOTPAAAA" in out
    assert "compte repris d'un ancien outil : Michel Blanc — michel.blanc@example.org" in out


def test_demo_is_idempotent_and_repairs_what_a_visitor_changed(capsys):
    call_command("demo")
    user = User.objects.get(email=ACCOUNTS[0].email)
    user.set_password("changed-by-a-visitor")
    user.save()

    call_command("demo")

    assert User.objects.count() == len(EVERYONE) + 1 + BACKGROUND
    assert EmailAddress.objects.count() == len(EVERYONE) + 1 + BACKGROUND
    assert authenticate(email=ACCOUNTS[0].email, password=DEMO_PASSWORD) == user
    assert f"created=0 updated={len(EVERYONE) + 1}" in capsys.readouterr().out
    assert Organisation.objects.count() == 6
    assert Membership.objects.filter(status="active").count() == 7 + BACKGROUND
    assert OrganisationRequest.objects.filter(status="pending").count() == 2


def test_demo_organisations_give_each_role_its_place(capsys):
    call_command("demo")

    def user(key):
        return User.objects.get(email=ORGANISATION_ACCOUNTS[key].email)

    assert is_operator_staff(user("gestionnaire"))
    roles = dict(Membership.objects.filter(status="active").values_list("user__email", "role"))
    assert roles[ORGANISATION_ACCOUNTS["employee"].email] == "employee"
    assert roles[ORGANISATION_ACCOUNTS["trainer"].email] == "trainer"
    lycee = Organisation.objects.get(uai="0759991C")
    assert lycee.school_profile.hosts_mini_internships
    assert lycee.school_profile.official_email == ORGANISATION_ACCOUNTS["lycee"].email
    pending = OrganisationRequest.objects.get(kind="creation")
    assert pending.organisation.status == "pending"
    assert pending.requester == user("creation_requester")
    assert OrganisationRequest.objects.get(kind="access").organisation == lycee


def test_scheduler_runs_every_periodic_job_once(capsys, settings):
    settings.PARCOURS_PERIODIC_JOBS = {
        "deliver_due_emails": 60,
        "purge_registrations": 3600,
        "delete_due_accounts": 3600,
    }

    call_command("run_scheduler", "--once")

    out = capsys.readouterr().out
    assert "requeued=0" in out
    assert "registrations purged=0" in out
    assert "accounts anonymised=0" in out


def test_purge_registrations_prints_what_it_did(capsys):
    call_command("purge_registrations")

    assert "registrations purged=0" in capsys.readouterr().out


def test_demo_offer_and_requests_in_every_state(capsys):
    from parcours.catalog.models import TrainingAction
    from parcours.enrollments.models import Enrollment

    call_command("demo")
    call_command("demo")  # put back as printed, nothing twice

    assert TrainingAction.objects.filter(status="published").count() == 5  # 3 to ask for, 1 under way, 1 ended
    assert TrainingAction.objects.filter(status="draft").count() == 1
    elsewhere = Enrollment.objects.exclude(session__action__title__in=[demo_running.TITLE, demo_ended.TITLE])
    states = sorted(elsewhere.values_list("state", flat=True))
    assert states == sorted(
        [
            "pending_employer",
            "pending_provider",
            "enrolled",
            "waitlisted",
            "refused_employer",
            "refused_provider",
            "cancelled",
        ]
    )
    mine = elsewhere.get(beneficiary__email=ORGANISATION_ACCOUNTS["employee"].email)
    assert mine.state == "pending_employer"


def test_demo_session_under_way_has_its_convention_convocations_and_an_open_sheet(capsys):
    from parcours.enrollments.models import AttendanceSheet, Convention, Convocation

    call_command("demo")
    call_command("demo")

    convention = Convention.objects.get(session__action__title=demo_running.TITLE)
    assert convention.buyer.name == "Ateliers numériques de la Loire"
    assert convention.status == "issued"  # the provider signed; the employeur référent signs
    assert Convocation.objects.filter(enrollment__session=convention.session).count() == 2
    sheets = AttendanceSheet.objects.filter(slot__session=convention.session)
    assert sheets.filter(closed_at__isnull=False).count() == 2
    assert sheets.filter(closed_at__isnull=True).count() == 1


def test_demo_run_the_next_day_moves_the_session_under_way(capsys, time_machine):
    import datetime

    from django.utils import timezone

    from parcours.enrollments.models import AttendanceSheet, Convention

    call_command("demo")
    time_machine.move_to(timezone.now() + datetime.timedelta(days=1))
    call_command("demo")

    convention = Convention.objects.get(session__action__title=demo_running.TITLE)
    assert convention.session.starts_on == timezone.localdate() - datetime.timedelta(days=1)
    assert AttendanceSheet.objects.filter(slot__session=convention.session, closed_at__isnull=True).count() == 1


def test_demo_ended_sessions_have_answers_and_bilans(capsys, time_machine):
    import datetime

    from django.utils import timezone

    from parcours.enrollments.models import SatisfactionSurvey, SessionReport, SurveyInvitation
    from parcours.workflows.models import TransitionLog

    call_command("demo")
    time_machine.move_to(timezone.now() + datetime.timedelta(days=1))
    call_command("demo")  # the next day: rebuilt at the new dates, nothing twice

    surveys = SatisfactionSurvey.objects.filter(session__action__title=demo_ended.TITLE).order_by("opened_at")
    assert [(s.invited_count, s.answered_count) for s in surveys] == [(6, 6), (7, 5)]
    assert [s.session.ends_on for s in surveys] == [
        timezone.localdate() - datetime.timedelta(days=21),
        timezone.localdate() - datetime.timedelta(days=5),
    ]
    waiting = SurveyInvitation.objects.get(
        survey__session__action__title=demo_ended.TITLE,
        enrollment__beneficiary__email=ORGANISATION_ACCOUNTS["employee"].email,
    )
    assert not waiting.has_answered  # the printed salarié answers it
    reports = SessionReport.objects.filter(session__action__title=demo_ended.TITLE).order_by("session__starts_on")
    assert [report.status for report in reports] == ["accepted", "submitted"]
    assert [str(report.attendance_rate) for report in reports] == ["91.7", "92.9"]
    assert TransitionLog.objects.filter(to_state="enrolled", object_type="enrollments.enrollment").count() == 13
