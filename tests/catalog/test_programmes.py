import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.services.mfa import totp_activate
from parcours.catalog.enums import ActionStatus
from parcours.catalog.models import Programme
from parcours.organisations.models import Role
from tests.accounts.factories import UserFactory
from tests.catalog.factories import ProgrammeFactory, TrainingActionFactory
from tests.helpers.outbox import last_email_to
from tests.organisations.factories import EmployerFactory, OperatorFactory, ProviderFactory, member

pytestmark = pytest.mark.django_db

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLES = (
    "anonymous",
    "outsider",
    "employer_employee",
    "trainer",
    "manager",
    "referent",
    "operator_staff",
    "other_operator_staff",
)


def staff_of(operator, role=Role.MANAGER, **user_fields):
    user = member(operator, role, **user_fields).user
    totp_activate(user=user, secret=TOTP_SECRET)
    return user


@pytest.fixture
def operator():
    return OperatorFactory(name="Région Île-de-France")


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(operator=operator, name="Offre de professionnalisation")


@pytest.fixture
def provider():
    return ProviderFactory(name="Forges Formation")


@pytest.fixture
def action(provider, programme):
    return TrainingActionFactory(provider=provider, programmes=[programme], title="Soudure à l'arc")


@pytest.fixture
def people(operator, provider):
    return {
        "anonymous": None,
        "outsider": UserFactory(),
        "employer_employee": member(EmployerFactory(), Role.EMPLOYEE).user,
        "trainer": member(provider, Role.TRAINER).user,
        "manager": member(provider, Role.MANAGER).user,
        "referent": member(provider, Role.REFERENT, email="referente@forges.example").user,
        "operator_staff": staff_of(operator),
        "other_operator_staff": staff_of(OperatorFactory(name="Région Rhône")),
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


# Pages of one programme: its operator's staff work, other operators' staff learn nothing, the others are
# refused (they are no operator staff at all).
PROGRAMME_EXPECTED = {
    "outsider": 403,
    "employer_employee": 403,
    "trainer": 403,
    "manager": 403,
    "referent": 403,
    "operator_staff": 200,
    "other_operator_staff": 404,
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["programmes", "programme_create"])
def test_programme_lists_per_role(as_role, programme, role, name):
    response = as_role(role).get(reverse(f"catalog_manage:{name}"))

    if role == "anonymous":
        assert_login_redirect(response)
    elif role in ("operator_staff", "other_operator_staff"):
        assert response.status_code == 200
        if name == "programmes":
            shown = "Offre de professionnalisation" in response.content.decode()
            assert shown is (role == "operator_staff")
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", ["programme_edit", "programme_actions"])
def test_programme_pages_per_role(as_role, programme, action, role, name):
    response = as_role(role).get(reverse(f"catalog_manage:{name}", args=[programme.public_id]))

    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == PROGRAMME_EXPECTED[role]


@pytest.mark.parametrize("role", ROLES)
def test_unpublish_per_role(as_role, programme, action, role):
    response = as_role(role).post(
        reverse("catalog_manage:action_unpublish", args=[programme.public_id, action.public_id]),
        {f"{action.public_id}-reason": "Erreur de prix"},
    )

    action.refresh_from_db()
    if role == "anonymous":
        assert_login_redirect(response)
    elif role == "operator_staff":
        assert response.status_code == 302
        assert action.status == ActionStatus.DRAFT
    else:
        assert response.status_code == PROGRAMME_EXPECTED[role]
    if role != "operator_staff":
        assert action.status == ActionStatus.PUBLISHED


def test_operator_staff_create_a_programme(as_role, operator):
    response = as_role("operator_staff").post(
        reverse("catalog_manage:programme_create"),
        {
            "name": "Offre pro 2027",
            "description": "",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "who_asks": "employer",
            "employer_approval": "",
            "provider_validation": "on",
            "funding": "employer",
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    programme = Programme.objects.get(name="Offre pro 2027")
    assert programme.operator == operator
    assert (programme.who_asks, programme.employer_approval, programme.provider_validation) == (
        "employer",
        False,
        True,
    )
    assert programme.ends_on == datetime.date(2027, 12, 31)


def test_the_period_error_sits_next_to_its_field_and_the_input_is_kept(as_role):
    response = as_role("operator_staff").post(
        reverse("catalog_manage:programme_create"),
        {
            "name": "Programme à l'envers",
            "starts_on": "2027-06-01",
            "ends_on": "2027-01-01",
            "who_asks": "employee",
            "funding": "operator",
        },
    )

    content = response.content.decode()
    assert response.status_code == 400
    assert "La fin de la période ne peut pas précéder son début." in content.split('id="id_ends_on_error"')[1][:300]
    assert "Programme à l&#x27;envers" in content
    assert not Programme.objects.exists()


def test_staff_of_several_operators_choose_the_operator(client, operator, people):
    second = OperatorFactory(name="Région Centre")
    gestionnaire = people["operator_staff"]
    member_of_second = member(second, Role.REFERENT)
    member_of_second.user = gestionnaire
    member_of_second.save()
    client.force_login(gestionnaire)

    response = client.post(
        reverse("catalog_manage:programme_create"),
        {
            "operator": second.pk,
            "name": "Programme du Centre",
            "starts_on": "2027-01-01",
            "ends_on": "2027-12-31",
            "who_asks": "employee",
            "funding": "operator",
        },
    )

    assert response.status_code == 302
    assert Programme.objects.get(name="Programme du Centre").operator == second


def test_operator_staff_edit_a_programme(as_role, programme):
    response = as_role("operator_staff").post(
        reverse("catalog_manage:programme_edit", args=[programme.public_id]),
        {
            "name": "Offre pro (close)",
            "starts_on": programme.starts_on.isoformat(),
            "ends_on": programme.ends_on.isoformat(),
            "who_asks": "employee",
            "employer_approval": "on",
            "provider_validation": "on",
            "funding": "operator",
        },
    )

    assert response.status_code == 302
    programme.refresh_from_db()
    assert (programme.name, programme.is_active) == ("Offre pro (close)", False)


def test_the_programme_list_runs_a_bounded_number_of_queries(
    as_role, operator, provider, django_assert_max_num_queries
):
    for _ in range(25):
        programme = ProgrammeFactory(operator=operator)
        TrainingActionFactory(provider=provider, programmes=[programme])
    client = as_role("operator_staff")
    client.get(reverse("catalog_manage:programmes"))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalog_manage:programmes"), {"page": 2})

    assert response.status_code == 200


# --- Actions of a programme ---------------------------------------------------------------------------------


def test_the_programme_shows_its_published_actions_only(as_role, programme, provider, action):
    TrainingActionFactory(provider=provider, programmes=[programme], status=ActionStatus.DRAFT, title="Brouillon")
    TrainingActionFactory(provider=provider, title="Autre programme")

    content = (
        as_role("operator_staff")
        .get(reverse("catalog_manage:programme_actions", args=[programme.public_id]))
        .content.decode()
    )

    assert "Soudure à l&#x27;arc" in content
    assert "Brouillon" not in content
    assert "Autre programme" not in content
    assert "Retirer du catalogue" in content


def test_the_programme_actions_run_a_bounded_number_of_queries(as_role, programme, django_assert_max_num_queries):
    for _ in range(25):
        TrainingActionFactory(provider=ProviderFactory(), programmes=[programme])
    client = as_role("operator_staff")
    client.get(reverse("catalog_manage:programme_actions", args=[programme.public_id]))

    with django_assert_max_num_queries(12):
        response = client.get(reverse("catalog_manage:programme_actions", args=[programme.public_id]), {"page": 2})

    assert response.status_code == 200


def test_unpublish_emails_the_provider_and_the_provider_reads_the_reason(
    client, as_role, people, programme, action, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_role("operator_staff").post(
            reverse("catalog_manage:action_unpublish", args=[programme.public_id, action.public_id]),
            {f"{action.public_id}-reason": "Les objectifs ne correspondent pas au programme."},
            follow=True,
        )

    assert "est retirée du catalogue" in response.content.decode()
    email = last_email_to(people["referent"].email)
    assert "Les objectifs ne correspondent pas au programme." in email.body_text
    assert "Région Île-de-France" in email.body_text
    detail = as_role("referent").get(reverse("catalog_manage:action_detail", args=[action.public_id]))
    assert "Les objectifs ne correspondent pas au programme." in detail.content.decode()


def test_unpublish_without_a_reason_shows_the_error_next_to_the_field(as_role, programme, action):
    response = as_role("operator_staff").post(
        reverse("catalog_manage:action_unpublish", args=[programme.public_id, action.public_id]),
        {f"{action.public_id}-reason": ""},
    )

    assert response.status_code == 400
    assert f'id="id_{action.public_id}-reason_error"' in response.content.decode()
    action.refresh_from_db()
    assert action.status == ActionStatus.PUBLISHED


def test_an_action_of_another_programme_is_a_404(as_role, programme, provider):
    elsewhere = TrainingActionFactory(provider=provider)

    response = as_role("operator_staff").post(
        reverse("catalog_manage:action_unpublish", args=[programme.public_id, elsewhere.public_id]),
        {f"{elsewhere.public_id}-reason": "Non"},
    )

    assert response.status_code == 404


def test_an_action_already_withdrawn_gives_a_clear_message(as_role, programme, action):
    action.status = ActionStatus.DRAFT
    action.unpublished_at = timezone.now()
    action.save()

    response = as_role("operator_staff").post(
        reverse("catalog_manage:action_unpublish", args=[programme.public_id, action.public_id]),
        {f"{action.public_id}-reason": "Encore"},
        follow=True,
    )

    assert "n&#x27;est plus au catalogue" in response.content.decode()
