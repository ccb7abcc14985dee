"""Where the after-session pages are reached from: the provider's session page and the bilan's pages link the
questionnaire's results and the bilans."""

import html

import pytest
from django.urls import reverse

from tests.enrollments.factories_reports import SessionReportFactory
from tests.enrollments.factories_satisfaction import answer, open_survey, survey_cast

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_the_providers_session_page_links_the_results_and_the_bilan(client):
    people = survey_cast(days_ago=2, trainees=3)
    survey = open_survey(people)
    answer(survey, people.enrollments[0])
    answer(survey, people.enrollments[1])
    client.force_login(people.provider_referent)

    text = _text(client.get(reverse("dashboards:provider_session", args=[people.session.public_id])))

    assert "Après la session" in text
    assert "Questionnaire de satisfaction : 2 réponses sur 3 stagiaires" in text
    assert reverse("satisfaction:session_results", args=[people.session.public_id]) in text
    assert f"Bilan de l’action — {people.programme.name}</a> :\n            à rédiger" in text
    assert reverse("reports:edit", args=[people.session.public_id, people.programme.public_id]) in text


def test_before_its_end_a_session_page_has_nothing_after_it(client):
    people = survey_cast(days_ago=-3, trainees=1)
    client.force_login(people.provider_referent)

    text = _text(client.get(reverse("dashboards:provider_session", args=[people.session.public_id])))

    assert "Après la session" not in text
    assert "Résultats du questionnaire de satisfaction" not in text


def test_the_bilan_pages_link_the_questionnaire_for_both_sides(client):
    people = survey_cast(days_ago=2, trainees=1)
    open_survey(people)
    report = SessionReportFactory(session=people.session, programme=people.programme, submitted=True)
    results_url = reverse("satisfaction:session_results", args=[people.session.public_id])

    client.force_login(people.operator_staff)
    review = _text(client.get(reverse("reports:review", args=[report.public_id])))
    client.force_login(people.provider_referent)
    edit = _text(client.get(reverse("reports:edit", args=[people.session.public_id, people.programme.public_id])))

    for text in (review, edit):
        assert "Questionnaire de satisfaction : 0 réponse sur 1 stagiaire" in text
        assert results_url in text
