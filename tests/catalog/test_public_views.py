"""The public catalog: /formations/ and an action's page, for anyone."""

import datetime

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from parcours.catalog.enums import ActionStatus, Modality, SessionStatus
from parcours.catalog.models import TrainingAction
from parcours.catalog.search import next_sessions_refresh
from parcours.organisations.models import OrganisationStatus
from tests.catalog.factories import ProgrammeFactory, SessionFactory, TrainingActionFactory
from tests.organisations.factories import ProviderFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("catalog:search")


def _today() -> datetime.date:
    return timezone.localdate()


def _in(days: int) -> datetime.date:
    return _today() + datetime.timedelta(days=days)


def _session(action, days: int, **fields):
    return SessionFactory(
        action=action, starts_on=_in(days), registration_deadline=_in(days - 1), slots=False, **fields
    )


def _titles(response) -> list[str]:
    return [action.title for action in response.context["page"].actions]


def test_search_lists_published_actions_of_active_providers_only(client):
    shown = TrainingActionFactory(title="Soudure visible")
    _session(shown, 10)
    TrainingActionFactory(title="Soudure brouillon", status=ActionStatus.DRAFT, published_at=None)
    TrainingActionFactory(title="Soudure archivée", status=ActionStatus.ARCHIVED)
    TrainingActionFactory(
        title="Soudure retirée",
        status=ActionStatus.DRAFT,
        unpublished_reason="Contenu non conforme",
        unpublished_at=timezone.now(),
    )
    TrainingActionFactory(title="Soudure en attente", provider=ProviderFactory(status=OrganisationStatus.PENDING))
    TrainingActionFactory(title="Soudure fermée", provider=ProviderFactory(status=OrganisationStatus.CLOSED))
    without_session = TrainingActionFactory(title="Soudure sans session")

    response = client.get(SEARCH)

    assert response.status_code == 200
    assert set(_titles(response)) == {shown.title, without_session.title}
    assert _titles(response)[0] == shown.title  # soonest session first, none last
    content = response.content.decode()
    assert "Aucune session ouverte" in content
    assert "2 formations" in content
    assert reverse("catalog:action", args=[shown.public_id]) in content


def test_search_by_keywords_ignores_accents_case_and_plurals(client):
    TrainingActionFactory(title="Électricité du bâtiment")
    TrainingActionFactory(title="Soudure à l'arc")

    response = client.get(SEARCH, {"q": "ELECTRICITES"})

    assert _titles(response) == ["Électricité du bâtiment"]
    assert response.context["page"].sort == "pertinence"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"modalite": Modality.REMOTE}, {"distance"}),
        # Where an open session takes place, whatever the action's usual place.
        ({"departement": "69"}, {"session-lyon"}),
        ({"certification": "certifiante"}, {"rncp", "rs"}),
        ({"certification": "RNCP"}, {"rncp"}),
        ({"certification": "RS"}, {"rs"}),
        ({"code": "rncp35830"}, {"rncp"}),
        ({"code": "5642"}, {"rs"}),
        ({"organisme": "forma sud"}, {"sud"}),
        ({"organisme": "44229377500031"}, {"sud"}),
        ({"du": "PROGRAMME_START", "au": "PROGRAMME_END"}, {"late"}),
    ],
    ids=lambda value: "-".join(sorted(value)),
)
def test_search_filters(client, params, expected):
    titles = {}
    for key, fields in {
        "distance": {"modality": Modality.REMOTE},
        "lyon": {"department_code": "69"},
        "session-lyon": {},
        "rncp": {"certification_registry": "RNCP", "certification_code": "35830"},
        "rs": {"certification_registry": "RS", "certification_code": "5642"},
        "sud": {"provider": ProviderFactory(name="Forma Sud Formation", siret="44229377500031")},
        "late": {},
    }.items():
        action = TrainingActionFactory(title=f"Action {key}", **fields)
        titles[action.title] = key
        _session(action, 100 if key == "late" else 10, department_code="69" if key == "session-lyon" else "75")
    params = {
        name: {"PROGRAMME_START": _in(90).isoformat(), "PROGRAMME_END": _in(120).isoformat()}.get(value, value)
        for name, value in params.items()
    }

    response = client.get(SEARCH, params)

    assert {titles[title] for title in _titles(response)} == expected


def test_search_filters_on_an_active_programme(client):
    programme = ProgrammeFactory(name="Offre de professionnalisation")
    closed = ProgrammeFactory(name="Ancien programme", is_active=False)
    TrainingActionFactory(title="Dans le programme", programmes=[programme])
    TrainingActionFactory(title="Ailleurs", programmes=[closed])

    response = client.get(SEARCH, {"programme": str(programme.public_id)})

    assert _titles(response) == ["Dans le programme"]
    content = response.content.decode()
    assert "Offre de professionnalisation" in content
    assert "Ancien programme" not in content


def test_search_sorts_by_next_session_title_or_relevance(client):
    later = TrainingActionFactory(title="Anglais des affaires", summary="Anglais pour réunions.")
    sooner = TrainingActionFactory(title="Bureautique", summary="Rédiger en anglais.")
    _session(later, 40)
    _session(sooner, 10)
    _session(later, 5, status=SessionStatus.CANCELLED)

    assert _titles(client.get(SEARCH)) == ["Bureautique", "Anglais des affaires"]
    assert _titles(client.get(SEARCH, {"tri": "intitule"})) == ["Anglais des affaires", "Bureautique"]
    # The title weighs more than the summary.
    assert _titles(client.get(SEARCH, {"q": "anglais"})) == ["Anglais des affaires", "Bureautique"]
    assert _titles(client.get(SEARCH, {"q": "anglais", "tri": "prochaine-session"})) == [
        "Bureautique",
        "Anglais des affaires",
    ]


def test_search_paginates_and_links_keep_the_criteria(client):
    provider = ProviderFactory()
    for number in range(25):
        TrainingActionFactory(title=f"Soudure {number:02d}", provider=provider, programmes=[])

    first = client.get(SEARCH, {"q": "soudure", "tri": "intitule"})
    second = client.get(SEARCH, {"q": "soudure", "tri": "intitule", "page": "2"})
    beyond = client.get(SEARCH, {"q": "soudure", "tri": "intitule", "page": "99"})

    assert len(_titles(first)) == 20
    assert _titles(second) == [f"Soudure {number}" for number in range(20, 25)]
    assert _titles(beyond) == _titles(second)
    assert "?q=soudure&amp;tri=intitule&amp;page=2" in first.content.decode()
    assert "25 formations" in first.content.decode()


def test_search_refreshes_only_the_results_for_htmx(client):
    TrainingActionFactory(title="Soudure")

    response = client.get(SEARCH, {"q": "soudure"}, headers={"HX-Request": "true"})
    restore = client.get(
        SEARCH, {"q": "soudure"}, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )

    content = response.content.decode()
    assert "<html" not in content
    assert 'id="resultats-nombre"' in content
    assert 'hx-swap-oob="true"' in content
    assert "Soudure" in content
    assert "<html" in restore.content.decode()
    full = client.get(SEARCH).content.decode()
    assert 'hx-push-url="true"' in full
    assert 'role="status"' in full


def test_search_shows_errors_next_to_fields_and_keeps_searching(client):
    TrainingActionFactory(title="Soudure")

    response = client.get(SEARCH, {"departement": "999", "du": "2027-02-01", "au": "2027-01-01", "code": "X"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Saisissez le numéro d’un département" in content
    assert "Cette date doit suivre la date de début." in content
    assert "Saisissez un code de la forme RNCP35830 ou RS5642." in content
    assert 'value="999"' in content
    assert response.context["page"].count == 0  # « du » stays valid: no session starts after it


def test_search_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    programme = ProgrammeFactory()
    for number in range(35):
        action = TrainingActionFactory(title=f"Soudure {number}", programmes=[programme], department_code="69")
        _session(action, 10 + number, department_code="69")
        _session(action, 50 + number, department_code="69")

    params = {"q": "soudure", "programme": str(programme.public_id), "departement": "69", "du": _in(1).isoformat()}
    with django_assert_max_num_queries(5):
        response = client.get(SEARCH, params)
    with django_assert_max_num_queries(5):
        client.get(SEARCH, {"page": "2"})

    assert len(_titles(response)) == 20
    assert all(action.next_session is not None for action in response.context["page"].actions)


def test_action_page_shows_the_action_and_its_open_sessions(client, django_assert_max_num_queries):
    programme = ProgrammeFactory(name="Offre de professionnalisation")
    action = TrainingActionFactory(
        title="Habilitation électrique",
        objectives="Travailler en sécurité.",
        prerequisites="Aucun.",
        what_to_bring="Chaussures de sécurité.",
        certification_registry="RS",
        certification_code="5642",
        payment_terms="À 30 jours.",
        programmes=[programme],
    )
    open_session = SessionFactory(
        action=action, starts_on=_in(20), registration_deadline=_in(15), place="Lyon", capacity=12, enrolled_count=5
    )
    full_session = SessionFactory(
        action=action,
        starts_on=_in(30),
        status=SessionStatus.FULL,
        place="Complet-ville",
        capacity=8,
        enrolled_count=8,
    )
    SessionFactory(action=action, starts_on=_in(3), registration_deadline=_in(-1), place="Trop-tard-ville")
    SessionFactory(action=action, starts_on=_in(40), status=SessionStatus.CLOSED, place="Close-ville")

    with django_assert_max_num_queries(5):
        response = client.get(reverse("catalog:action", args=[action.public_id]))

    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Habilitation électrique", "Travailler en sécurité.", "Chaussures de sécurité.", "RS5642"):
        assert text in content
    assert "Offre de professionnalisation" in content
    assert "Lyon" in content
    assert "Trop-tard-ville" not in content
    assert "Close-ville" not in content
    # A full session is listed: a request there goes to the waiting list.
    assert response.context["sessions"] == [open_session, full_session]
    assert "7 places restantes" in content
    assert 'fr-badge--sm">Complet</p>' in content
    try:
        request_url = reverse("enrollments:request", args=[open_session.public_id])
    except NoReverseMatch:
        request_url = None
    if request_url:
        assert request_url in content
        assert "Demander une inscription" in content


@pytest.mark.parametrize(
    "fields",
    [
        {"status": ActionStatus.DRAFT},
        {"status": ActionStatus.ARCHIVED},
        {"status": ActionStatus.DRAFT, "unpublished_reason": "Retirée", "unpublished_at": timezone.now},
        {"provider__status": OrganisationStatus.PENDING},
    ],
    ids=["draft", "archived", "unpublished", "pending-provider"],
)
def test_action_page_is_not_found_unless_visible(client, fields):
    fields = {name: value() if callable(value) else value for name, value in fields.items()}
    action = TrainingActionFactory(**fields)

    response = client.get(reverse("catalog:action", args=[action.public_id]))

    assert response.status_code == 404


def test_next_session_follows_the_sessions_and_the_calendar():
    action = TrainingActionFactory()
    first = _session(action, 10)
    _session(action, 20)
    action.refresh_from_db()
    assert action.next_session_on == _in(10)

    first.status = SessionStatus.CANCELLED
    first.save()
    action.refresh_from_db()
    assert action.next_session_on == _in(20)

    # Twenty days on, the remaining session's deadline is past: the daily refresh clears the sort key.
    assert next_sessions_refresh(today=_in(20)) == 1
    assert TrainingAction.objects.get(pk=action.pk).next_session_on is None
