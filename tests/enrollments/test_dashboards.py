"""The dashboards by role: who sees which page, what each list holds, filters in the URL, bounded queries."""

import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.services.mfa import totp_activate
from parcours.enrollments.dashboards import dashboard_links
from parcours.enrollments.enums import EnrollmentState
from parcours.enrollments.models import EnrollmentReadMarker
from parcours.organisations.current import SESSION_KEY
from parcours.organisations.models import Role
from parcours.organisations.permissions import active_memberships
from parcours.workflows.models import TransitionLog
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProgrammeFactory, SessionFactory, TrainingActionFactory
from tests.enrollments.factories import EnrollmentFactory, EnrollmentMessageFactory
from tests.organisations.factories import EmployerFactory, MembershipFactory, OperatorFactory, ProviderFactory, member

pytestmark = pytest.mark.django_db

S = EnrollmentState
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def staff_of(operator, role=Role.MANAGER, **user_fields):
    """Operator staff with TOTP set up, as MfaRequiredMiddleware demands."""
    user = member(operator, role, **user_fields).user
    totp_activate(user=user, secret=TOTP_SECRET)
    return user


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def logged(enrollment, action, actor, *, at=None):
    """A decision in the transition log, as the workflow writes it."""
    return TransitionLog.objects.create(
        workflow="enrollment",
        object_type="enrollments.enrollment",
        object_id=enrollment.public_id,
        action=action,
        from_state=S.PENDING_EMPLOYER,
        to_state=S.PENDING_PROVIDER if action == "employer_approve" else S.REFUSED_BY_EMPLOYER,
        actor=actor,
        occurred_at=at or timezone.now(),
    )


@pytest.fixture
def world():
    """An operator and its programme; a provider with a session; an employer; their people; and, apart,
    another operator, provider and employer with theirs."""
    operator = OperatorFactory(name="Région Île-de-France")
    programme = ProgrammeFactory(operator=operator, name="Offre de professionnalisation")
    provider = ProviderFactory(name="Formations du Marais")
    action = TrainingActionFactory(provider=provider, programmes=[programme], title="Tableur avancé")
    session = SessionFactory(action=action, capacity=10)
    employer = EmployerFactory(name="Boulangerie Martin")
    trainer = member(provider, Role.TRAINER, first_name="Théo", last_name="Formateur").user
    session.trainers.add(trainer)

    other_operator = OperatorFactory(name="Région Rhône", profile__departments=["69"])
    other_programme = ProgrammeFactory(operator=other_operator, name="Programme du Rhône")
    other_provider = ProviderFactory(name="Autre organisme")
    other_session = SessionFactory(
        action=TrainingActionFactory(provider=other_provider, programmes=[other_programme], title="Soudure")
    )
    other_employer = EmployerFactory(name="Garage Dupuis")
    employee = UserFactory(first_name="Marie", last_name="Curie", email="marie.curie@example.org")
    member(employer, Role.EMPLOYEE)  # another employee, with nothing asked
    return SimpleNamespace(
        operator=operator,
        programme=programme,
        provider=provider,
        action=action,
        session=session,
        employer=employer,
        employee=employee,
        employer_referent=member(employer, Role.REFERENT, first_name="Paul", last_name="Martin").user,
        employer_manager=member(employer, Role.MANAGER).user,
        provider_referent=member(provider, Role.REFERENT).user,
        provider_manager=member(provider, Role.MANAGER).user,
        trainer=trainer,
        other_trainer=member(provider, Role.TRAINER).user,
        gestionnaire=staff_of(operator),
        other_operator=other_operator,
        other_programme=other_programme,
        other_provider=other_provider,
        other_session=other_session,
        other_employer=other_employer,
        other_employer_referent=member(other_employer, Role.REFERENT).user,
        other_provider_referent=member(other_provider, Role.REFERENT).user,
        other_gestionnaire=staff_of(other_operator),
    )


def ask(world, state=S.PENDING_EMPLOYER, *, session=None, beneficiary=None, employer=None, **fields):
    """A request of an employee of the world's employer for the world's session (by default)."""
    return EnrollmentFactory(
        session=session or world.session,
        beneficiary=beneficiary or UserFactory(),
        employer=employer or world.employer,
        state=state,
        **fields,
    )


def get(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(f"dashboards:{name}", args=args), params)


# --- Permissions: each view × role --------------------------------------------------------------------------

ROLES = (
    "employee",
    "employer_referent",
    "employer_manager",
    "provider_referent",
    "provider_manager",
    "trainer",
    "other_trainer",
    "gestionnaire",
    "other_employer_referent",
    "other_provider_referent",
)
EXPECTED = {
    # view: statuses for each of ROLES, in order
    "beneficiary": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "employer": (403, 200, 200, 403, 403, 403, 403, 403, 200, 403),
    "provider": (403, 403, 403, 200, 200, 200, 200, 403, 403, 200),
    "provider_session": (404, 404, 404, 200, 200, 200, 404, 404, 404, 404),
    "export_csv": (404, 404, 404, 200, 200, 403, 404, 404, 404, 404),
    "export_xlsx": (404, 404, 404, 200, 200, 403, 404, 404, 404, 404),
    "operator": (403, 403, 403, 403, 403, 403, 403, 200, 403, 403),
}


def _url(view, world):
    if view == "provider_session":
        return reverse("dashboards:provider_session", args=[world.session.public_id])
    if view.startswith("export_"):
        return reverse("dashboards:provider_session_export", args=[world.session.public_id, view[len("export_") :]])
    return reverse(f"dashboards:{view}")


@pytest.mark.parametrize("view", EXPECTED)
def test_each_view_answers_each_role(client, world, view):
    ask(world, S.ENROLLED, beneficiary=world.employee)
    statuses = {}
    for role in ROLES:
        client.force_login(getattr(world, role))
        statuses[role] = client.get(_url(view, world)).status_code
    assert statuses == dict(zip(ROLES, EXPECTED[view], strict=True))


@pytest.mark.parametrize("view", EXPECTED)
def test_anonymous_people_are_sent_to_the_login_page(client, world, view):
    response = client.get(_url(view, world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_an_unknown_session_or_export_format_is_a_404(client, world):
    client.force_login(world.provider_referent)
    assert client.get(reverse("dashboards:provider_session", args=[world.other_session.public_id])).status_code == 404
    export = reverse("dashboards:provider_session_export", args=[world.session.public_id, "pdf"])
    assert client.get(export).status_code == 404


def test_pages_are_read_only(client, world):
    client.force_login(world.provider_referent)
    assert client.post(reverse("dashboards:provider")).status_code == 405


# --- Bénéficiaire -------------------------------------------------------------------------------------------


def test_beneficiary_sees_their_enrollments_grouped(client, world):
    past = SessionFactory(action=world.action, starts_on=days(-10), ends_on=days(-9), registration_deadline=days(-20))
    upcoming = ask(world, S.ENROLLED, beneficiary=world.employee)
    followed = ask(world, S.ENROLLED, beneficiary=world.employee, session=past)
    pending = ask(world, S.PENDING_PROVIDER, beneficiary=world.employee, session=SessionFactory(action=world.action))
    waiting = ask(world, S.WAITLISTED, beneficiary=world.employee, session=SessionFactory(action=world.action))
    refused = ask(world, S.REFUSED_BY_EMPLOYER, beneficiary=world.employee, last_reason="Budget épuisé.")
    cancelled = ask(world, S.CANCELLED, beneficiary=world.employee, last_reason="Plus disponible.")
    ask(world, S.PENDING_EMPLOYER)  # someone else's

    response = get(client, world.employee, "beneficiary")

    sections = {section["group"].key: [row.pk for row in section["rows"]] for section in response.context["sections"]}
    assert sections == {
        "a-venir": [upcoming.pk],
        "suivies": [followed.pk],
        "demandees": sorted([pending.pk, waiting.pk], reverse=True),
        "refusees": [refused.pk],
        "annulees": [cancelled.pk],
    }
    content = response.content.decode()
    assert "Tableur avancé" in content
    assert "Formations du Marais" in content
    assert "Motif : Budget épuisé." in content
    assert reverse("enrollments:detail", args=[upcoming.public_id]) in content


def test_beneficiary_without_enrollments_is_told_so(client, world):
    response = get(client, world.employee, "beneficiary")
    assert "Vous n’avez encore demandé aucune formation." in response.content.decode()


def test_beneficiary_sees_unread_messages(client, world):
    enrollment = ask(world, S.PENDING_PROVIDER, beneficiary=world.employee)
    EnrollmentMessageFactory(enrollment=enrollment, author=world.provider_manager, author_party="provider")
    EnrollmentMessageFactory(enrollment=enrollment, author=world.provider_manager, author_party="provider")
    EnrollmentMessageFactory(enrollment=enrollment)  # their own
    read = ask(world, S.ENROLLED, beneficiary=world.employee, session=SessionFactory(action=world.action))
    EnrollmentMessageFactory(
        enrollment=read, author=world.provider_manager, author_party="provider", created_at=days_ago(2)
    )
    EnrollmentReadMarker.objects.create(enrollment=read, user=world.employee, last_read_at=days_ago(1))

    response = get(client, world.employee, "beneficiary")

    unread = {row.pk: row.unread for section in response.context["sections"] for row in section["rows"]}
    assert unread == {enrollment.pk: 2, read.pk: 0}
    assert "2 non lus" in response.content.decode()


def days_ago(n: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=n)


def test_beneficiary_group_page_paginates_with_bounded_queries(client, world, django_assert_max_num_queries):
    for _ in range(32):
        ask(world, S.CANCELLED, beneficiary=world.employee, session=SessionFactory(action=world.action, slots=False))
    client.force_login(world.employee)

    overview = client.get(reverse("dashboards:beneficiary"))
    section = overview.context["sections"][-1]
    assert len(section["rows"]) == 10
    assert section["count"] == 32
    assert section["more_url"] == reverse("dashboards:beneficiary") + "?groupe=annulees"

    with django_assert_max_num_queries(9):
        response = client.get(reverse("dashboards:beneficiary"), {"groupe": "annulees", "page": 2})
    assert response.context["pager"].page.number == 2
    assert len(response.context["sections"]) == 1
    assert len(response.context["sections"][0]["rows"]) == 7


# --- Employer -----------------------------------------------------------------------------------------------


def test_employer_sees_the_requests_to_decide_with_counts(client, world):
    older = ask(world, created_at=days_ago(3))
    newer = ask(world)
    ask(world, S.PENDING_PROVIDER)
    ask(world, employer=world.other_employer)  # another employer's

    response = get(client, world.employer_manager, "employer")

    assert [row.pk for row in response.context["to_decide"].page.object_list] == [older.pk, newer.pk]
    tiles = {tile["label"]: tile["description"] for tile in response.context["tiles"]}
    assert tiles == {
        "Demandes à décider": "2 demandes",
        "Accords donnés": "Aucune",
        "Refus": "Aucune",
        "Inscriptions directes": "Aucune",
    }


def test_employer_sees_every_decision_taken(client, world):
    approved = ask(world, S.ENROLLED, beneficiary=world.employee)
    logged(approved, "employer_approve", world.employer_referent, at=days_ago(5))
    refused = ask(world, S.REFUSED_BY_EMPLOYER)
    logged(refused, "employer_refuse", world.employer_manager, at=days_ago(1))
    direct = ask(world, S.PENDING_PROVIDER, requested_by=world.employer_referent)
    ask(world, S.PENDING_PROVIDER)  # no employer decision (programme without accord)
    elsewhere = ask(world, S.REFUSED_BY_EMPLOYER, employer=world.other_employer)
    logged(elsewhere, "employer_refuse", world.other_employer_referent)

    response = get(client, world.employer_referent, "employer")

    rows = response.context["decision_rows"]
    assert [(row.pk, row.decision) for row in rows] == [
        (direct.pk, "direct"),
        (refused.pk, "refused"),
        (approved.pk, "approved"),
    ]
    assert rows[2].decided_by == world.employer_referent
    assert rows[0].decided_by == world.employer_referent
    tiles = {tile["label"]: tile["description"] for tile in response.context["tiles"]}
    assert tiles["Accords donnés"] == "1 demande"
    assert tiles["Refus"] == "1 demande"
    assert tiles["Inscriptions directes"] == "1 demande"
    content = response.content.decode()
    assert "Inscription directe" in content
    assert "par Paul Martin" in content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"decision": "approved"}, ["marie"]),
        ({"decision": "refused"}, ["jean"]),
        ({"decision": "direct"}, ["luc"]),
        ({"etat": "enrolled"}, ["marie"]),
        ({"salarie": "curie"}, ["marie"]),
        ({"salarie": "MARIE curie"}, ["marie"]),
        ({"salarie": "jean.valjean@"}, ["jean"]),
        ({"formation": "soudure"}, ["luc"]),
        ({"du": "2025-03-01", "au": "2025-03-25"}, ["jean", "marie"]),
        ({"du": "2025-03-15"}, ["luc", "jean"]),
        ({"au": "2025-03-09"}, ["marie"]),
        # Invalid values are ignored, not an error page.
        ({"decision": "bogus", "etat": "bogus", "du": "pas une date"}, ["luc", "jean", "marie"]),
    ],
)
def test_employer_decisions_filter(client, world, params, expected):
    def at(day):
        return timezone.make_aware(datetime.datetime(2025, 3, day, 12))

    marie = ask(world, S.ENROLLED, beneficiary=world.employee)
    logged(marie, "employer_approve", world.employer_referent, at=at(5))
    jean = ask(world, S.REFUSED_BY_EMPLOYER, beneficiary=UserFactory(first_name="Jean", last_name="Valjean"))
    jean.beneficiary.email = "jean.valjean@example.org"
    jean.beneficiary.save()
    logged(jean, "employer_refuse", world.employer_referent, at=at(20))
    soudure = SessionFactory(action=TrainingActionFactory(provider=world.provider, title="Soudure à l'arc"))
    luc = ask(world, S.PENDING_PROVIDER, session=soudure, requested_by=world.employer_referent, created_at=at(28))
    names = {marie.pk: "marie", jean.pk: "jean", luc.pk: "luc"}

    response = get(client, world.employer_referent, "employer", **params)

    assert response.status_code == 200
    assert [names[row.pk] for row in response.context["decision_rows"]] == expected


def test_employer_period_in_the_wrong_order_is_explained(client, world):
    response = get(client, world.employer_referent, "employer", du="2025-03-31", au="2025-03-01")
    assert response.status_code == 200
    assert "La date de fin doit être postérieure ou égale à la date de début." in response.content.decode()


def test_employer_dashboard_follows_the_switcher(client, world):
    second = EmployerFactory(name="Pâtisserie Durand")
    both = world.employer_referent
    MembershipFactory(organisation=second, user=both, role=Role.MANAGER)
    ask(world)
    theirs = ask(world, employer=second)

    client.force_login(both)
    session = client.session
    session[SESSION_KEY] = str(second.public_id)
    session.save()
    response = client.get(reverse("dashboards:employer"))

    assert response.context["organisation"] == second
    assert [row.pk for row in response.context["to_decide"].page.object_list] == [theirs.pk]


def test_employer_lists_paginate_with_bounded_queries(client, world, django_assert_max_num_queries):
    deciders = [world.employer_referent, world.employer_manager]
    for index in range(35):
        ask(world, created_at=days_ago(40 - index))
        decided = ask(world, S.PENDING_PROVIDER)
        logged(decided, "employer_approve" if index % 2 else "employer_refuse", deciders[index % 2])
    for _ in range(5):
        ask(world, S.PENDING_PROVIDER, requested_by=world.employer_referent)
    client.force_login(world.employer_referent)

    with django_assert_max_num_queries(13):
        response = client.get(reverse("dashboards:employer"), {"page": 2, "page_a_decider": 2})

    assert response.context["to_decide"].page.paginator.count == 35
    assert len(response.context["to_decide"].page.object_list) == 10
    assert response.context["decisions"].page.paginator.count == 40
    assert len(response.context["decision_rows"]) == 15
    # The other list's page survives paging.
    assert "page_a_decider=2" in response.context["decisions"].previous


# --- Provider -----------------------------------------------------------------------------------------------


def test_provider_sees_requests_to_validate_and_sessions(client, world):
    pending = ask(world, S.PENDING_PROVIDER)
    waiting = ask(world, S.WAITLISTED)
    for _ in range(3):
        ask(world, S.ENROLLED)
    ask(world, S.PENDING_EMPLOYER)  # the employer decides first
    ask(world, S.PENDING_PROVIDER, session=world.other_session)  # another provider's
    past = SessionFactory(action=world.action, starts_on=days(-10), ends_on=days(-9), registration_deadline=days(-20))

    response = get(client, world.provider_manager, "provider")

    assert [row.pk for row in response.context["to_validate"].page.object_list] == [pending.pk, waiting.pk]
    assert response.context["counts"] == {"pending": 1, "waitlisted": 1}
    sessions = list(response.context["sessions"].page.object_list)
    assert [session.pk for session in sessions] == [world.session.pk]
    assert (sessions[0].enrolled_count, sessions[0].waitlisted_count, sessions[0].pending_count) == (3, 1, 1)
    assert "3 / 10" in response.content.decode()

    waitlist_only = get(client, world.provider_manager, "provider", etat="waitlisted")
    assert [row.pk for row in waitlist_only.context["to_validate"].page.object_list] == [waiting.pk]
    ended = get(client, world.provider_manager, "provider", periode="passees")
    assert [session.pk for session in ended.context["sessions"].page.object_list] == [past.pk]


def test_trainer_sees_only_the_sessions_they_train(client, world):
    ask(world, S.PENDING_PROVIDER)
    SessionFactory(action=world.action)  # not theirs

    response = get(client, world.trainer, "provider")

    assert not response.context["manages"]
    assert "to_validate" not in response.context
    assert [session.pk for session in response.context["sessions"].page.object_list] == [world.session.pk]
    assert "Demandes à valider" not in response.content.decode()


def test_provider_dashboard_has_bounded_queries(client, world, django_assert_max_num_queries):
    for _ in range(32):
        ask(world, S.PENDING_PROVIDER, session=SessionFactory(action=world.action, slots=False))
    client.force_login(world.provider_referent)

    with django_assert_max_num_queries(11):
        response = client.get(reverse("dashboards:provider"), {"page": 2, "page_sessions": 2})

    assert response.context["to_validate"].page.paginator.count == 32
    assert response.context["sessions"].page.paginator.count == 33


def test_session_registrants_for_the_provider(client, world):
    enrolled = ask(world, S.ENROLLED, beneficiary=UserFactory(last_name="Zola", first_name="Émile"))
    enrolled_too = ask(world, S.ENROLLED, beneficiary=UserFactory(last_name="Balzac", first_name="Honoré"))
    first_waiting = ask(world, S.WAITLISTED, waitlisted_at=days_ago(2))
    second_waiting = ask(world, S.WAITLISTED, waitlisted_at=days_ago(1))
    pending = ask(world, S.PENDING_PROVIDER)
    ask(world, S.CANCELLED)
    ask(world, S.PENDING_EMPLOYER)

    response = get(client, world.provider_manager, "provider_session", world.session.public_id)

    assert [row.pk for row in response.context["registrants"].page.object_list] == [
        enrolled_too.pk,
        enrolled.pk,
        first_waiting.pk,
        second_waiting.pk,
        pending.pk,
    ]
    content = response.content.decode()
    assert "Tableur Excel (XLSX)" in content
    assert "Fichier CSV" in content
    filtered = get(client, world.provider_manager, "provider_session", world.session.public_id, etat="waitlisted")
    assert [row.pk for row in filtered.context["registrants"].page.object_list] == [
        first_waiting.pk,
        second_waiting.pk,
    ]


def test_trainer_sees_the_enrolled_only_without_export(client, world):
    enrolled = ask(world, S.ENROLLED)
    ask(world, S.WAITLISTED)
    ask(world, S.PENDING_PROVIDER)

    response = get(client, world.trainer, "provider_session", world.session.public_id, etat="waitlisted")

    assert [row.pk for row in response.context["registrants"].page.object_list] == [enrolled.pk]
    assert "Tableur Excel" not in response.content.decode()


def test_session_registrants_page_has_bounded_queries(client, world, django_assert_max_num_queries):
    world.session.capacity = 40
    world.session.save()
    for _ in range(35):
        ask(world, S.ENROLLED)
    for _ in range(20):
        ask(world, S.WAITLISTED)
    client.force_login(world.provider_manager)

    with django_assert_max_num_queries(9):
        response = client.get(reverse("dashboards:provider_session", args=[world.session.public_id]), {"page": 2})

    assert response.context["registrants"].page.paginator.count == 55
    assert len(response.context["registrants"].page.object_list) == 5


# --- Operator -----------------------------------------------------------------------------------------------


def test_operator_sees_every_request_of_its_programmes(client, world):
    mine = [ask(world, state) for state in (S.PENDING_EMPLOYER, S.ENROLLED, S.ENROLLED, S.CANCELLED)]
    ask(world, S.PENDING_PROVIDER, session=world.other_session)  # the other operator's programme

    response = get(client, world.gestionnaire, "operator")

    assert {row.pk for row in response.context["requests"].page.object_list} == {e.pk for e in mine}
    counts = {entry["label"]: entry["count"] for entry in response.context["counts"]}
    assert counts[S.ENROLLED.label] == 2
    assert counts[S.PENDING_EMPLOYER.label] == 1
    assert counts[S.WAITLISTED.label] == 0
    assert response.context["total"] == 4


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"etat": "enrolled"}, ["b"]),
        ({"organisme": "marais"}, ["b", "a"]),
        ({"organisme": "lyon"}, ["c"]),
        ({"employeur": "dupuis"}, ["c"]),
        ({"du": "2025-03-10"}, ["c", "b"]),
        ({"au": "2025-03-10"}, ["a"]),
        ({"etat": "bogus", "programme": "bogus"}, ["c", "b", "a"]),
    ],
)
def test_operator_filters(client, world, params, expected):
    def at(day):
        return timezone.make_aware(datetime.datetime(2025, 3, day, 12))

    lyon = ProviderFactory(name="Formations de Lyon")
    lyon_session = SessionFactory(action=TrainingActionFactory(provider=lyon, programmes=[world.programme]))
    rows = {
        ask(world, S.PENDING_EMPLOYER, created_at=at(1)).pk: "a",
        ask(world, S.ENROLLED, created_at=at(15)).pk: "b",
        ask(world, S.PENDING_PROVIDER, session=lyon_session, employer=world.other_employer, created_at=at(25)).pk: "c",
    }

    response = get(client, world.gestionnaire, "operator", **params)

    assert [rows[row.pk] for row in response.context["requests"].page.object_list] == expected


def test_operator_filters_by_programme(client, world):
    second = ProgrammeFactory(operator=world.operator, name="Second programme")
    other_action = TrainingActionFactory(provider=world.provider, programmes=[second])
    in_second = ask(world, session=SessionFactory(action=other_action))
    ask(world)

    response = get(client, world.gestionnaire, "operator", programme=str(second.public_id))

    assert [row.pk for row in response.context["requests"].page.object_list] == [in_second.pk]
    # Another operator's programme is no choice: ignored, every request shown.
    response = get(client, world.gestionnaire, "operator", programme=str(world.other_programme.public_id))
    assert response.context["requests"].page.paginator.count == 2


def test_operator_dashboard_has_bounded_queries(client, world, django_assert_max_num_queries):
    for index in range(33):
        ask(world, (S.PENDING_EMPLOYER, S.ENROLLED, S.REFUSED_BY_PROVIDER)[index % 3])
    client.force_login(world.gestionnaire)

    with django_assert_max_num_queries(11):
        response = client.get(reverse("dashboards:operator"), {"page": 2, "etat": "enrolled"})

    assert response.context["requests"].page.paginator.count == 11
    with django_assert_max_num_queries(11):
        response = client.get(reverse("dashboards:operator"), {"page": 2})
    assert len(response.context["requests"].page.object_list) == 8


# --- Navigation ---------------------------------------------------------------------------------------------


def test_dashboard_links_follow_the_memberships(world, django_assert_num_queries):
    ask(world, beneficiary=world.employee)
    expectations = {
        "employee": ["dashboards:beneficiary", "satisfaction:mine"],
        "employer_referent": ["dashboards:employer", "recap:page"],
        "provider_manager": ["dashboards:provider", "reports:list"],
        "trainer": ["dashboards:provider", "reports:list"],
        "gestionnaire": ["dashboards:operator"],
    }
    for role, names in expectations.items():
        user = getattr(world, role)
        active_memberships(user)  # the request's cache, filled by the middleware in real life
        with django_assert_num_queries(0):
            links = dashboard_links(user)
        assert [name for _label, name in links] == names, role
    assert dashboard_links(UserFactory()) == []
