import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.services.mfa import totp_activate
from parcours.catalog.enums import ActionStatus, HalfDay, SessionStatus
from parcours.catalog.models import Session, TrainingAction
from parcours.organisations.current import SESSION_KEY
from parcours.organisations.models import OrganisationStatus, Role
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProgrammeFactory, SessionFactory, SlotFactory, TrainingActionFactory
from tests.organisations.factories import EmployerFactory, ProviderFactory, member

pytestmark = pytest.mark.django_db

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLES = ("anonymous", "outsider", "employer_employee", "trainer", "manager", "referent", "operator_staff", "other")


def today():
    return timezone.localdate()


@pytest.fixture
def provider():
    return ProviderFactory(name="Forges Formation")


@pytest.fixture
def programme():
    return ProgrammeFactory(name="Offre pro")


@pytest.fixture
def action(provider, programme):
    return TrainingActionFactory(provider=provider, programmes=[programme], title="Soudure à l'arc")


@pytest.fixture
def session(action):
    return SessionFactory(action=action)


@pytest.fixture
def people(provider, programme):
    operator_staff = member(programme.operator, Role.MANAGER).user
    totp_activate(user=operator_staff, secret=TOTP_SECRET)
    return {
        "anonymous": None,
        "outsider": UserFactory(),
        "employer_employee": member(EmployerFactory(), Role.EMPLOYEE).user,
        "trainer": member(provider, Role.TRAINER).user,
        "manager": member(provider, Role.MANAGER).user,
        "referent": member(provider, Role.REFERENT).user,
        "operator_staff": operator_staff,
        "other": member(ProviderFactory(), Role.REFERENT).user,
    }


@pytest.fixture
def as_role(client, people):
    def log_in(role):
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        return client

    return log_in


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# On an action or session: the provider's référents and managers work; its trainers are refused; anyone else
# learns nothing.
OBJECT_EXPECTED = {
    "outsider": 404,
    "employer_employee": 404,
    "trainer": 403,
    "manager": 200,
    "referent": 200,
    "operator_staff": 404,
    "other": 404,
}
GET_OBJECT_VIEWS = [
    ("action_detail", "action"),
    ("action_edit", "action"),
    ("session_create", "action"),
    ("session_detail", "session"),
    ("session_edit", "session"),
    ("session_cancel", "session"),
]
POST_OBJECT_VIEWS = [
    ("action_publish", "action"),
    ("action_archive", "action"),
    ("action_to_draft", "action"),
    ("session_close", "session"),
    ("session_reopen", "session"),
    ("slots_add_usual", "session"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "target"), GET_OBJECT_VIEWS)
def test_object_pages_per_role(as_role, action, session, role, name, target):
    obj = action if target == "action" else session

    response = as_role(role).get(reverse(f"catalog_manage:{name}", args=[obj.public_id]))

    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == OBJECT_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "target"), POST_OBJECT_VIEWS)
def test_object_actions_per_role(as_role, action, session, role, name, target):
    obj = action if target == "action" else session

    response = as_role(role).post(reverse(f"catalog_manage:{name}", args=[obj.public_id]))

    if role == "anonymous":
        assert_login_redirect(response)
    elif OBJECT_EXPECTED[role] == 200:
        assert response.status_code == 302
    else:
        assert response.status_code == OBJECT_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_slot_pages_per_role(as_role, session, role):
    slot = session.slots.first()
    client = as_role(role)
    add = client.post(
        reverse("catalog_manage:slot_add", args=[session.public_id]),
        {"date": session.ends_on.isoformat(), "half_day": "morning", "starts_at": "09:00", "ends_at": "12:00"},
    )
    remove = client.post(reverse("catalog_manage:slot_remove", args=[session.public_id, slot.public_id]))

    if role == "anonymous":
        assert_login_redirect(add)
        assert_login_redirect(remove)
    elif OBJECT_EXPECTED[role] == 200:
        assert (add.status_code, remove.status_code) == (302, 302)
        assert list(session.slots.values_list("date", "half_day")) == [
            (session.starts_on, HalfDay.AFTERNOON),
            (session.ends_on, HalfDay.MORNING),
        ]
    else:
        assert (add.status_code, remove.status_code) == (OBJECT_EXPECTED[role], OBJECT_EXPECTED[role])
        assert session.slots.count() == 2


LIST_EXPECTED = {
    "outsider": 403,
    "employer_employee": 403,
    "trainer": 403,
    "manager": 200,
    "referent": 200,
    "other": 200,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["actions", "action_create"])
def test_offer_pages_per_role(as_role, action, role, name):
    response = as_role(role).get(reverse(f"catalog_manage:{name}"))

    if role == "anonymous":
        assert_login_redirect(response)
    elif role == "operator_staff":
        # Operators have no offer: the list leads them to their programmes.
        if name == "actions":
            assert response.status_code == 302
            assert response["Location"] == reverse("catalog_manage:programmes")
        else:
            assert response.status_code == 403
    else:
        assert response.status_code == LIST_EXPECTED[role]
        if name == "actions" and role in ("manager", "referent"):
            assert "Soudure à l&#x27;arc" in response.content.decode()
        if name == "actions" and role == "other":
            assert "Soudure" not in response.content.decode()


def test_a_slot_of_another_session_is_a_404(as_role, session):
    other_slot = SlotFactory(session=SessionFactory(action=session.action, slots=False))

    response = as_role("referent").post(
        reverse("catalog_manage:slot_remove", args=[session.public_id, other_slot.public_id])
    )

    assert response.status_code == 404


def test_get_on_a_state_change_is_refused(as_role, action):
    response = as_role("referent").get(reverse("catalog_manage:action_publish", args=[action.public_id]))

    assert response.status_code == 405


# --- The list -----------------------------------------------------------------------------------------------


def test_the_list_follows_the_organisation_switcher(client, people, provider, action):
    second = ProviderFactory(name="Deuxième organisme")
    TrainingActionFactory(provider=second, title="Cariste")
    referent = people["referent"]
    member_of_second = member(second, Role.MANAGER)
    member_of_second.user = referent
    member_of_second.save()
    client.force_login(referent)
    session = client.session
    session[SESSION_KEY] = str(second.public_id)
    session.save()

    content = client.get(reverse("catalog_manage:actions")).content.decode()

    assert "Cariste" in content
    assert "Soudure" not in content


def test_the_list_filters_by_status_and_counts_sessions(as_role, provider, action, session):
    TrainingActionFactory(provider=provider, status=ActionStatus.DRAFT, title="Brouillon de cariste")
    client = as_role("referent")

    drafts = client.get(reverse("catalog_manage:actions"), {"statut": "brouillons"}).content.decode()
    everything = client.get(reverse("catalog_manage:actions")).content.decode()

    assert "Brouillon de cariste" in drafts
    assert "Soudure" not in drafts
    assert "Soudure" in everything
    assert "Brouillon de cariste" in everything


def test_the_list_runs_a_bounded_number_of_queries(as_role, provider, programme, django_assert_max_num_queries):
    for index in range(25):
        action = TrainingActionFactory(provider=provider, programmes=[programme, ProgrammeFactory()])
        if index % 5 == 0:
            SessionFactory(action=action, slots=False)
    client = as_role("referent")
    client.get(reverse("catalog_manage:actions"))

    with django_assert_max_num_queries(14):
        response = client.get(reverse("catalog_manage:actions"), {"page": 2})

    assert response.status_code == 200


def test_a_pending_provider_is_told_its_actions_stay_hidden(client):
    provider = ProviderFactory(status=OrganisationStatus.PENDING, validated_at=None)
    referent = member(provider, Role.REFERENT).user
    action = TrainingActionFactory(provider=provider, status=ActionStatus.DRAFT)
    client.force_login(referent)

    listing = client.get(reverse("catalog_manage:actions")).content.decode()
    response = client.post(reverse("catalog_manage:action_publish", args=[action.public_id]), follow=True)

    assert "vos actions restent masquées tant que votre structure n’est pas validée" in listing
    assert "elle reste masquée du catalogue tant que votre structure" in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.PUBLISHED


# --- Creating and editing an action -------------------------------------------------------------------------


def action_form_data(programme, **overrides):
    data = {
        "title": "Conduite de chariot élévateur",
        "summary": "Obtenir le CACES.",
        "objectives": "Conduire en sécurité.",
        "audience": "Caristes",
        "prerequisites": "",
        "nature": "training",
        "duration_hours": "14",
        "price": "850,50",
        "payment_terms": "",
        "cancellation_terms": "",
        "modality": "on_site",
        "place": "5 avenue du Port, 92230 Gennevilliers",
        "department_code": "",
        "accessibility": "Locaux accessibles.",
        "what_to_bring": "Chaussures de sécurité",
        "assessment": "Test pratique.",
        "sanction": "certificate",
        "certification": "rncp 34567",
        "programmes": [programme.pk],
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
    }
    data.update(overrides)
    return data


def test_a_referent_creates_an_action(as_role, provider, programme):
    response = as_role("referent").post(reverse("catalog_manage:action_create"), action_form_data(programme))

    action = TrainingAction.objects.get(title="Conduite de chariot élévateur")
    assert response.status_code == 302
    assert response["Location"] == reverse("catalog_manage:action_detail", args=[action.public_id])
    assert action.provider == provider
    assert (action.certification_registry, action.certification_code) == ("RNCP", "34567")
    assert action.department_code == "92"
    assert str(action.price) == "850.50"
    assert action.status == ActionStatus.DRAFT


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"certification": "RNCP-AB12"}, "certification", "RNCP ou RS suivi de chiffres"),
        ({"certification": ""}, "certification", "code RNCP ou RS"),
        ({"place": ""}, "place", "Indiquez le lieu"),
        ({"duration_hours": "0"}, "duration_hours", "supérieure à zéro"),
        ({"department_code": "7"}, "department_code", "numéro de département"),
        ({"title": ""}, "title", "Ce champ est obligatoire"),
    ],
)
def test_action_form_errors_sit_next_to_their_field_and_input_is_kept(as_role, programme, overrides, field, message):
    data = action_form_data(programme, **overrides)

    response = as_role("referent").post(reverse("catalog_manage:action_create"), data)

    content = response.content.decode()
    assert response.status_code == 400
    assert f'id="id_{field}_error"' in content
    assert message in content.split(f'id="id_{field}_error"')[1][:300]
    assert "Obtenir le CACES." in content
    assert not TrainingAction.objects.exists() or not TrainingAction.objects.filter(title=data["title"]).exists()


def test_closed_programmes_are_not_offered_but_kept_when_already_chosen(as_role, action, programme):
    closed_unused = ProgrammeFactory(name="Programme fermé inutilisé", is_active=False)
    programme.is_active = False
    programme.save()

    content = as_role("referent").get(reverse("catalog_manage:action_edit", args=[action.public_id])).content.decode()

    assert "Offre pro" in content
    assert "— fermé" in content
    assert closed_unused.name not in content


def test_editing_a_published_action_cannot_drop_its_last_programme(as_role, action, programme):
    response = as_role("referent").post(
        reverse("catalog_manage:action_edit", args=[action.public_id]),
        action_form_data(programme, programmes=[]),
    )

    assert response.status_code == 400
    assert "au moins un programme" in response.content.decode()
    assert action.programmes.count() == 1


def test_an_archived_action_is_not_edited(as_role, provider):
    action = TrainingActionFactory(provider=provider, status=ActionStatus.ARCHIVED)

    response = as_role("referent").get(reverse("catalog_manage:action_edit", args=[action.public_id]))

    assert response.status_code == 302


def test_publishing_an_incomplete_action_lists_the_problems(as_role, provider):
    action = TrainingActionFactory(provider=provider, status=ActionStatus.DRAFT, programmes=[])

    response = as_role("referent").post(reverse("catalog_manage:action_publish", args=[action.public_id]), follow=True)

    assert "Proposez l&#x27;action dans au moins un programme ouvert." in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.DRAFT


def test_the_provider_reads_why_an_operator_withdrew_the_action(as_role, provider):
    action = TrainingActionFactory(
        provider=provider,
        status=ActionStatus.DRAFT,
        unpublished_reason="Le prix est incohérent.",
        unpublished_at=timezone.now(),
    )

    content = as_role("manager").get(reverse("catalog_manage:action_detail", args=[action.public_id])).content.decode()

    assert "Action retirée du catalogue par un opérateur" in content
    assert "Le prix est incohérent." in content


def test_action_detail_runs_a_bounded_number_of_queries(as_role, action, people, django_assert_max_num_queries):
    trainer = people["trainer"]
    for days in range(25):
        session = SessionFactory(action=action, starts_on=today() + datetime.timedelta(days=40 + days))
        session.trainers.add(trainer, people["manager"])
    client = as_role("referent")
    client.get(reverse("catalog_manage:action_detail", args=[action.public_id]))

    with django_assert_max_num_queries(14):
        response = client.get(reverse("catalog_manage:action_detail", args=[action.public_id]))

    assert response.status_code == 200


# --- Sessions -----------------------------------------------------------------------------------------------


def session_form_data(**overrides):
    start = today() + datetime.timedelta(days=20)
    data = {
        "starts_on": start.isoformat(),
        "ends_on": (start + datetime.timedelta(days=1)).isoformat(),
        "place": "5 avenue du Port, 92230 Gennevilliers",
        "department_code": "",
        "capacity": "8",
        "registration_deadline": (start - datetime.timedelta(days=3)).isoformat(),
    }
    data.update(overrides)
    return data


def test_a_manager_creates_a_session_with_a_trainer(as_role, action, people):
    response = as_role("manager").post(
        reverse("catalog_manage:session_create", args=[action.public_id]),
        session_form_data(trainers=[people["trainer"].pk]),
    )

    session = Session.objects.get(action=action, capacity=8)
    assert response["Location"] == reverse("catalog_manage:session_detail", args=[session.public_id])
    assert session.department_code == "92"
    assert list(session.trainers.all()) == [people["trainer"]]


def test_the_trainer_choice_holds_only_the_providers_trainers_managers_and_referents(as_role, action, people):
    content = as_role("referent").get(reverse("catalog_manage:session_create", args=[action.public_id]))
    choices = content.context["form"].fields["trainers"].queryset

    assert set(choices) == {people["trainer"], people["manager"], people["referent"]}


def test_a_trainer_of_another_provider_is_not_a_valid_choice(as_role, action, people):
    response = as_role("referent").post(
        reverse("catalog_manage:session_create", args=[action.public_id]),
        session_form_data(trainers=[people["other"].pk]),
    )

    assert response.status_code == 400
    assert 'id="id_trainers_error"' in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"registration_deadline": (today() + datetime.timedelta(days=30)).isoformat()}, "registration_deadline"),
        ({"ends_on": (today() + datetime.timedelta(days=5)).isoformat()}, "ends_on"),
        (
            {
                "starts_on": (today() - datetime.timedelta(days=2)).isoformat(),
                "ends_on": today().isoformat(),
                "registration_deadline": (today() - datetime.timedelta(days=3)).isoformat(),
            },
            "starts_on",
        ),
        ({"capacity": "0"}, "capacity"),
        ({"place": ""}, "place"),
    ],
)
def test_session_form_errors_sit_next_to_their_field(as_role, action, overrides, field):
    response = as_role("referent").post(
        reverse("catalog_manage:session_create", args=[action.public_id]), session_form_data(**overrides)
    )

    assert response.status_code == 400
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not action.sessions.exists()


def test_session_edit_raises_capacity(as_role, session):
    response = as_role("referent").post(
        reverse("catalog_manage:session_edit", args=[session.public_id]),
        session_form_data(
            starts_on=session.starts_on.isoformat(),
            ends_on=session.ends_on.isoformat(),
            registration_deadline=session.registration_deadline.isoformat(),
            capacity="20",
        ),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.capacity == 20


def test_session_pages_show_the_places_left(as_role, action):
    SessionFactory(action=action, capacity=10, enrolled_count=4, place="Lyon")
    full = SessionFactory(action=action, capacity=8, enrolled_count=8, status=SessionStatus.FULL)
    client = as_role("referent")

    listed = client.get(reverse("catalog_manage:action_detail", args=[action.public_id])).content.decode()
    full_page = client.get(reverse("catalog_manage:session_detail", args=[full.public_id])).content.decode()

    assert '<span class="fr-text--sm">6 restantes</span>' in listed
    assert '<span class="fr-text--sm">Complet</span>' in listed
    assert "<span>Complet</span>" in full_page
    assert "(8 inscrits)" in full_page


def test_session_detail_counts_the_places_left(as_role, action):
    session = SessionFactory(action=action, capacity=10, enrolled_count=9)

    page = as_role("referent").get(reverse("catalog_manage:session_detail", args=[session.public_id]))

    assert "<span>1 place restante</span>" in page.content.decode()


def test_lowering_the_capacity_below_the_people_enrolled_says_why(as_role, action):
    session = SessionFactory(action=action, capacity=10, enrolled_count=5)

    response = as_role("referent").post(
        reverse("catalog_manage:session_edit", args=[session.public_id]),
        session_form_data(
            starts_on=session.starts_on.isoformat(),
            ends_on=session.ends_on.isoformat(),
            registration_deadline=session.registration_deadline.isoformat(),
            capacity="3",
        ),
    )

    assert response.status_code == 400
    assert "5 personnes sont déjà inscrites" in " ".join(response.context["form"].errors["capacity"])
    assert 'value="3"' in response.content.decode()  # what was typed is kept
    session.refresh_from_db()
    assert session.capacity == 10


def test_cancel_a_session_with_a_reason(as_role, session):
    client = as_role("referent")
    url = reverse("catalog_manage:session_cancel", args=[session.public_id])

    empty = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "Salle indisponible"})

    assert empty.status_code == 400
    assert 'id="id_reason_error"' in empty.content.decode()
    assert done.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.cancelled_reason) == (SessionStatus.CANCELLED, "Salle indisponible")
    page = client.get(reverse("catalog_manage:session_detail", args=[session.public_id])).content.decode()
    assert "Salle indisponible" in page
    assert "Ajouter la demi-journée" not in page


def test_a_wrong_half_day_shows_its_error_and_keeps_the_input(as_role, session):
    response = as_role("referent").post(
        reverse("catalog_manage:slot_add", args=[session.public_id]),
        {"date": session.starts_on.isoformat(), "half_day": "morning", "starts_at": "10:00", "ends_at": "09:00"},
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_ends_at_error"' in content
    assert 'value="10:00"' in content


def test_a_duplicate_half_day_is_refused_with_a_message(as_role, session):
    response = as_role("referent").post(
        reverse("catalog_manage:slot_add", args=[session.public_id]),
        {"date": session.starts_on.isoformat(), "half_day": "morning", "starts_at": "08:30", "ends_at": "12:00"},
    )

    assert response.status_code == 400
    assert "existe déjà" in response.content.decode()
    assert session.slots.count() == 2


def test_usual_half_days_from_the_page(as_role, session):
    response = as_role("referent").post(
        reverse("catalog_manage:slots_add_usual", args=[session.public_id]), follow=True
    )

    assert response.status_code == 200
    assert session.slots.count() == 4


def test_session_detail_runs_a_bounded_number_of_queries(as_role, action, django_assert_max_num_queries):
    start = today() + datetime.timedelta(days=30)
    session = SessionFactory(action=action, starts_on=start, ends_on=start + datetime.timedelta(days=30), slots=False)
    client = as_role("referent")
    client.post(reverse("catalog_manage:slots_add_usual", args=[session.public_id]))
    assert session.slots.count() > 40

    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalog_manage:session_detail", args=[session.public_id]))

    assert response.status_code == 200
