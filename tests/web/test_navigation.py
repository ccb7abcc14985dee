import pytest
from django.contrib.auth.models import AnonymousUser

from parcours.web import navigation
from parcours.web.navigation import NavItem, SignupEntry, main_navigation, mark_active


def test_anonymous_navigation_is_home_and_the_catalog(rf):
    request = rf.get("/")
    request.user = AnonymousUser()

    assert main_navigation(request) == [
        NavItem("Accueil", "/", active=True),
        NavItem("Trouver une formation", "/formations/"),
    ]


def test_logged_in_navigation_adds_my_space(rf, user):
    request = rf.get("/mentions-legales/")
    request.user = user

    assert main_navigation(request) == [
        NavItem("Accueil", "/"),
        NavItem("Trouver une formation", "/formations/"),
        NavItem("Mon espace", "/"),
    ]


def test_navigation_without_a_request_has_no_current_item():
    assert main_navigation(None) == [NavItem("Accueil", "/"), NavItem("Trouver une formation", "/formations/")]


def test_the_longest_matching_url_is_current_and_only_one():
    items = [
        NavItem("Accueil", "/"),
        NavItem("Formations", "/formations/"),
        NavItem("Mes formations", "/formations/mes-formations/"),
        NavItem("Aussi les formations", "/formations/"),
    ]

    marked = mark_active(items, "/formations/mes-formations/42/")

    assert [item.active for item in marked] == [False, False, True, False]
    assert [item.active for item in mark_active(items, "/formations/")] == [False, True, False, False]
    assert [item.active for item in mark_active(items, "/ailleurs/")] == [False, False, False, False]


def test_a_menu_is_current_with_its_current_child():
    items = [
        NavItem("Accueil", "/"),
        NavItem(
            "Mon organisation",
            children=(NavItem("Membres", "/organisation/membres/"), NavItem("Demandes", "/organisation/demandes/")),
        ),
    ]

    marked = mark_active(items, "/organisation/demandes/")

    assert marked[1].active
    assert [child.active for child in marked[1].children] == [False, True]


def test_menus_render_as_dsfr_sub_menus(client, monkeypatch):
    def with_menu(request):
        return mark_active(
            [
                NavItem("Accueil", "/"),
                NavItem("Mon organisation", children=(NavItem("Membres", "/mentions-legales/"),)),
            ],
            request.path,
        )

    monkeypatch.setattr("parcours.web.context_processors.main_navigation", with_menu)

    content = client.get("/mentions-legales/").content.decode()

    assert 'aria-controls="navigation-menu-2"' in content
    assert 'aria-current="true">Mon organisation</button>' in content
    assert 'aria-current="page">Membres</a>' in content


def test_signup_entries_keep_only_resolving_url_names(monkeypatch):
    monkeypatch.setattr(
        navigation,
        "SIGNUP_ENTRIES",
        (
            SignupEntry("A", "a", "account_login"),
            SignupEntry("B", "b", "accounts:signup_nobody"),
            SignupEntry("C", "c", "account_reset_password"),
        ),
    )

    assert navigation.signup_entries() == [
        {"label": "A", "description": "a", "url": "/compte/login/"},
        {"label": "C", "description": "c", "url": "/compte/password/reset/"},
    ]


def test_account_url_is_the_first_that_resolves(monkeypatch):
    monkeypatch.setattr(navigation, "ACCOUNT_URL_NAMES", ("accounts:nothing", "account_email", "account_login"))

    assert navigation.account_url() == "/compte/email/"

    monkeypatch.setattr(navigation, "ACCOUNT_URL_NAMES", ("accounts:nothing",))

    assert navigation.account_url() is None


@pytest.mark.django_db
def test_roles_bring_their_dashboards_and_spaces(rf, django_assert_max_num_queries):
    from parcours.organisations.models import Role
    from tests.accounts.factories import UserFactory
    from tests.organisations.factories import EmployerFactory, MembershipFactory, OperatorFactory, ProviderFactory

    user = UserFactory()
    MembershipFactory(user=user, organisation=EmployerFactory(), role=Role.REFERENT)
    MembershipFactory(user=user, organisation=ProviderFactory(), role=Role.MANAGER)
    MembershipFactory(user=user, organisation=OperatorFactory(), role=Role.MANAGER)
    request = rf.get("/")
    request.user = user

    with django_assert_max_num_queries(1):  # the memberships, read once
        items = main_navigation(request)

    labels = {item.label: [child.label for child in item.children] for item in items}
    assert labels["Mes tableaux de bord"] == [
        "Formations des salariés",
        "Récapitulatif annuel des salariés",
        "Inscriptions à mes sessions",
        "Bilans de l'action",
        "Demandes d'inscription des programmes",
        "Mon offre de formation",
        "Émargement",
        "Présence des salariés",
        "Conventions de formation",
    ]
    assert labels["Espace opérateur"] == ["Demandes à traiter", "Programmes", "Bilans de l'action", "Statistiques"]
    assert "Mes structures" in labels


@pytest.mark.django_db
def test_an_employee_gets_their_trainings(rf):
    from parcours.organisations.models import Role
    from tests.organisations.factories import EmployerFactory, member

    request = rf.get("/")
    request.user = member(EmployerFactory(), Role.EMPLOYEE).user

    (menu,) = [item for item in main_navigation(request) if item.label == "Mes tableaux de bord"]
    assert menu.children == (
        NavItem("Mes formations", "/tableau-de-bord/mes-formations/"),
        NavItem("Mes questionnaires de satisfaction", "/questionnaires/"),
    )
