"""The satisfaction questionnaire's pages: who sees what (404 for what is not theirs, 403 beyond one's role), the
operators' questions, the trainee's form and its errors, refusals, anonymity on the results, the threshold, and
bounded queries."""

import html
import re

import pytest
from django.contrib.messages import get_messages
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from parcours.audit.models import AuditEvent
from parcours.enrollments import satisfaction
from parcours.enrollments.models import SatisfactionSurvey, SurveyAnswer, SurveyQuestion, SurveyResponse
from parcours.enrollments.views.satisfaction import RESPONSES_PER_PAGE
from tests.catalog.factories import ProgrammeFactory, SessionFactory
from tests.enrollments.factories import EnrollmentFactory
from tests.enrollments.factories_satisfaction import (
    CHOICE_LABEL,
    SCALE_LABEL,
    TEXT_LABEL,
    SurveyQuestionFactory,
    answer,
    invitation_of,
    move_session,
    open_survey,
    survey_cast,
)

pytestmark = pytest.mark.django_db

RESULTS_VIEWERS = ["provider_referent", "provider_manager", "trainer", "operator_staff"]
NAMED_VIEWERS = ["provider_referent", "provider_manager", "operator_staff"]
NOBODY = [
    "beneficiary",
    "colleague",
    "employer_referent",
    "employer_manager",
    "provider_other_trainer",
    "other_employer_referent",
    "other_provider_referent",
    "other_operator_staff",
    "outsider",
]
ROLES = sorted({*RESULTS_VIEWERS, *NOBODY})


def _as(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _main(response) -> str:
    """The page's content, without the header (which shows the logged-in person's name)."""
    return _text(response).split('<main id="contenu"', 1)[1].split("</main>", 1)[0]


def _flash(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def _checked(response, name) -> list[str]:
    tags = re.findall(r"<input[^>]*>", response.content.decode())
    return [
        re.search(r'value="([^"]*)"', tag).group(1)
        for tag in tags
        if f'name="{name}"' in tag and re.search(r"\bchecked\b", tag)
    ]


# The programme's questions ---------------------------------------------------------------------------------------


@pytest.fixture
def people():
    return survey_cast(trainees=1)


def _questions_url(people):
    return reverse("satisfaction:questions", args=[people.programme.public_id])


@pytest.mark.parametrize("role", ROLES)
def test_the_questions_page_is_for_the_programme_operator_staff(client, people, role):
    response = _as(client, getattr(people, role)).get(_questions_url(people))

    expected = {"operator_staff": 200, "other_operator_staff": 404}.get(role, 403)
    assert response.status_code == expected
    if expected == 200:
        assert SCALE_LABEL in _text(response)
        assert "Utiliser le questionnaire type" in _text(response)
        assert "anonymes pour l’organisme" in _text(response)


def test_the_questions_page_needs_a_login(client, people):
    response = client.get(_questions_url(people))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("question_add", {}),
        ("question_edit", {"question": True}),
        ("question_delete", {"question": True}),
    ],
)
@pytest.mark.parametrize("role", ["other_operator_staff", "provider_referent"])
def test_the_question_pages_refuse_the_others(client, people, name, kwargs, role):
    args = [people.programme.public_id]
    if kwargs.get("question"):
        args.append(people.questions[0].public_id)
    _as(client, getattr(people, role))

    get = client.get(reverse(f"satisfaction:{name}", args=args))
    post = client.post(reverse(f"satisfaction:{name}", args=args), {"label": "Q ?", "kind": "scale"})

    expected = 404 if role == "other_operator_staff" else 403
    assert (get.status_code, post.status_code) == (expected, expected)
    assert SurveyQuestion.objects.count() == 3


def test_a_choice_question_with_one_option_is_refused_next_to_the_field(client, people):
    _as(client, people.operator_staff)

    response = client.post(
        reverse("satisfaction:question_add", args=[people.programme.public_id]),
        {
            "label": "Quel format préférez-vous ?",
            "kind": "choice",
            "choices": "Présentiel\n présentiel ",
            "required": "on",
        },
    )

    assert response.status_code == 400
    text = _text(response)
    assert re.search(r'id="id_choices_error".*au moins deux réponses différentes', text, re.S)
    assert 'value="Quel format préférez-vous ?"' in text
    assert "Présentiel\n présentiel" in text
    assert _checked(response, "kind") == ["choice"]
    assert SurveyQuestion.objects.count() == 3


def test_operator_staff_add_edit_move_and_delete_questions(client, people):
    _as(client, people.operator_staff)
    url = _questions_url(people)

    added = client.post(
        reverse("satisfaction:question_add", args=[people.programme.public_id]),
        {"label": "Quel format préférez-vous ?", "kind": "choice", "choices": "Présentiel\nÀ distance\n"},
    )
    question = SurveyQuestion.objects.get(label="Quel format préférez-vous ?")
    edited = client.post(
        reverse("satisfaction:question_edit", args=[people.programme.public_id, question.public_id]),
        {
            "label": "Quel format préférez-vous ?",
            "kind": "choice",
            "choices": "Présentiel\nÀ distance\nMixte",
            "required": "on",
        },
    )
    moved = client.post(reverse("satisfaction:question_up", args=[people.programme.public_id, question.public_id]))
    confirm = client.get(
        reverse("satisfaction:question_delete", args=[people.programme.public_id, people.questions[0].public_id])
    )
    deleted = client.post(
        reverse("satisfaction:question_delete", args=[people.programme.public_id, people.questions[0].public_id])
    )

    assert added.status_code == edited.status_code == moved.status_code == deleted.status_code == 302
    assert added["Location"] == url
    assert confirm.status_code == 200
    assert SCALE_LABEL in _text(confirm)
    question.refresh_from_db()
    assert (question.choices, question.required) == (["Présentiel", "À distance", "Mixte"], True)
    assert [q.label for q in satisfaction.programme_questions(people.programme)] == [
        CHOICE_LABEL,
        "Quel format préférez-vous ?",
        TEXT_LABEL,
    ]
    assert "est supprimée" in " ".join(_flash(deleted))


def test_the_standard_button_adds_the_standard_questions(client, people):
    _as(client, people.operator_staff)

    response = client.post(reverse("satisfaction:questions_standard", args=[people.programme.public_id]))

    assert response.status_code == 302
    # The programme already asks three of the seven standard questions.
    assert _flash(response) == ["Questions du questionnaire type ajoutées : 4."]
    assert SurveyQuestion.objects.filter(programme=people.programme).count() == 7
    page = client.get(_questions_url(people))
    assert "Ce que vous avez le plus apprécié" in _text(page)


def test_the_question_form_labels_every_field(client, people):
    response = _as(client, people.operator_staff).get(
        reverse("satisfaction:question_add", args=[people.programme.public_id])
    )

    text = response.content.decode()
    assert '<label class="fr-label" for="id_label">' in text
    assert 'id="id_kind_legend"' in text
    assert '<label class="fr-label" for="id_choices">' in text
    assert '<label class="fr-label" for="id_required">' in text


def test_the_questions_page_runs_a_bounded_number_of_queries(client, people, django_assert_max_num_queries):
    for _ in range(20):
        SurveyQuestionFactory(programme=people.programme, choice=True)
    _as(client, people.operator_staff)

    with django_assert_max_num_queries(12):
        response = client.get(_questions_url(people))

    assert response.status_code == 200


# Answering -------------------------------------------------------------------------------------------------------


@pytest.fixture
def opened():
    people = survey_cast(trainees=2)
    people.survey = open_survey(people)
    people.invitation = invitation_of(people.survey, people.enrollments[0])
    people.url = reverse("satisfaction:answer", args=[people.invitation.public_id])
    return people


@pytest.mark.parametrize("role", ROLES)
def test_only_the_invited_trainee_opens_the_questionnaire(client, opened, role):
    response = _as(client, getattr(opened, role)).get(opened.url)

    assert response.status_code == (200 if role == "beneficiary" else 404)


def test_the_answer_page_runs_a_bounded_number_of_queries(client, opened, django_assert_max_num_queries):
    _as(client, opened.beneficiary)

    with django_assert_max_num_queries(8):
        response = client.get(opened.url)

    assert response.status_code == 200


def test_another_trainee_of_the_session_gets_a_404(client, opened):
    other = opened.enrollments[1].beneficiary

    assert _as(client, other).get(opened.url).status_code == 404
    assert _as(client, other).post(opened.url, {"q1": "5", "q2": "Oui"}).status_code == 404
    assert not SurveyResponse.objects.exists()


def test_the_form_shows_each_question_as_the_survey_asked_it(client, opened):
    response = _as(client, opened.beneficiary).get(opened.url)

    text = _text(response)
    assert re.search(r'<fieldset[^>]*id="id_q1_fieldset"', text)
    assert re.search(r'<legend[^>]*id="id_q1_legend"[^>]*>\s*' + re.escape(SCALE_LABEL), text)
    assert "De 1 (pas du tout satisfait) à 5 (très satisfait)." in text
    for value, label in [("1", "1 – pas du tout satisfait"), ("3", "3"), ("5", "5 – très satisfait")]:
        assert f'value="{value}"' in text
        assert re.search(rf'for="id_q1_{int(value) - 1}">{re.escape(label)}</label>', text)
    assert re.search(r'<legend[^>]*id="id_q2_legend"', text)
    assert "Sans avis" in text
    assert '<textarea name="q3"' in response.content.decode()
    assert f"{TEXT_LABEL} (facultatif)" in text
    assert "Vos réponses sont anonymes" in text


def test_a_named_questionnaire_says_so(client):
    people = survey_cast(trainees=1, anonymous=False)
    survey = open_survey(people)
    invitation = invitation_of(survey, people.enrollments[0])

    response = _as(client, people.beneficiary).get(reverse("satisfaction:answer", args=[invitation.public_id]))

    assert "Vos réponses ne sont pas anonymes" in _text(response)
    assert "Vos réponses sont anonymes" not in _text(response)


def test_a_missing_answer_is_shown_next_to_its_question_and_what_was_typed_is_kept(client, opened):
    response = _as(client, opened.beneficiary).post(opened.url, {"q2": "Non", "q3": "Plus de pauses"})

    assert response.status_code == 400
    text = _text(response)
    assert re.search(r'id="id_q1_error".*Répondez à cette question\.', text, re.S)
    assert _checked(response, "q2") == ["Non"]
    assert "Plus de pauses</textarea>" in text
    assert not SurveyResponse.objects.exists()


def test_a_too_long_text_is_refused_next_to_the_field(client, opened):
    response = _as(client, opened.beneficiary).post(opened.url, {"q1": "4", "q2": "Oui", "q3": "x" * 2001})

    assert response.status_code == 400
    assert re.search(r'id="id_q3_error".*dépasse 2000 caractères', _text(response), re.S)
    assert not SurveyResponse.objects.exists()


def test_the_trainee_answers_once(client, opened):
    _as(client, opened.beneficiary)

    first = client.post(opened.url, {"q1": "5", "q2": "Oui", "q3": "Très clair"})
    second = client.post(opened.url, {"q1": "1", "q2": "Non"})
    again = client.get(opened.url)

    assert first.status_code == 302
    assert first["Location"] == reverse("satisfaction:mine")
    assert _flash(first) == ["Merci : vos réponses sont enregistrées."]
    assert second.status_code == 400
    assert "Vous avez déjà répondu à ce questionnaire." in _text(second)
    assert "Vous avez déjà répondu à ce questionnaire." in _text(again)
    assert 'name="q1"' not in again.content.decode()
    assert list(
        SurveyAnswer.objects.order_by("question_key").values_list("scale_value", "choice_value", "text_value")
    ) == [
        (5, "", ""),
        (None, "Oui", ""),
        (None, "", "Très clair"),
    ]
    opened.survey.refresh_from_db()
    assert opened.survey.answered_count == 1


def test_a_late_answer_is_refused_and_changes_nothing(client, opened):
    SatisfactionSurvey.objects.filter(pk=opened.survey.pk).update(closes_at=timezone.now())
    _as(client, opened.beneficiary)

    page = client.get(opened.url)
    response = client.post(opened.url, {"q1": "5", "q2": "Oui"})

    assert "Ce questionnaire est clos depuis le" in _text(page)
    assert response.status_code == 400
    assert "Ce questionnaire est clos depuis le" in _text(response)
    assert not SurveyResponse.objects.exists()
    opened.invitation.refresh_from_db()
    assert opened.invitation.has_answered is False


def test_an_anonymous_answer_leaves_nothing_that_links_it_to_the_trainee(client, opened):
    events_before = set(AuditEvent.objects.values_list("pk", flat=True))

    _as(client, opened.beneficiary).post(opened.url, {"q1": "2", "q2": "Non", "q3": "Trop rapide"})

    response = SurveyResponse.objects.get()
    assert response.enrollment_id is None
    new_events = AuditEvent.objects.exclude(pk__in=events_before)
    assert not new_events.filter(target_id=str(opened.enrollments[0].public_id)).exists()
    assert not any(str(response.pk) in str(event.details) for event in new_events)
    assert not new_events.filter(actor=opened.beneficiary).exclude(event_type__startswith="login").exists()


def test_my_questionnaires_lists_what_to_answer_what_was_answered_and_what_closed(client):
    people = survey_cast(trainees=1)
    survey = open_survey(people)
    answered_session = SessionFactory(action=people.action)
    move_session(answered_session, days_ago=3)
    closed_session = SessionFactory(action=people.action)
    move_session(closed_session, days_ago=4)
    for session in (answered_session, closed_session):
        EnrollmentFactory(session=session, employer=people.employer, beneficiary=people.beneficiary, enrolled=True)
    satisfaction.surveys_open_due()
    answered_survey = SatisfactionSurvey.objects.get(session=answered_session)
    answer(answered_survey, answered_survey.invitations.get().enrollment)
    SatisfactionSurvey.objects.filter(session=closed_session).update(closes_at=survey.opened_at)

    response = _as(client, people.beneficiary).get(reverse("satisfaction:mine"))

    text = _text(response)
    to_answer, past = text.split("Questionnaires passés", 1)
    assert reverse("satisfaction:answer", args=[invitation_of(survey, people.enrollments[0]).public_id]) in to_answer
    assert f"Ouvert jusqu’au {date_format(timezone.localtime(survey.closes_at), 'j F Y')}" in to_answer
    assert "Répondu" in past
    assert "Clos sans réponse" in past
    assert _as(client, people.colleague).get(reverse("satisfaction:mine")).status_code == 200
    assert "Gestion de projet" not in _text(client.get(reverse("satisfaction:mine")))


def test_my_questionnaires_runs_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    people = survey_cast(trainees=1)
    for days_ago in range(3, 13):
        session = SessionFactory(action=people.action)
        move_session(session, days_ago=days_ago)
        EnrollmentFactory(session=session, employer=people.employer, beneficiary=people.beneficiary, enrolled=True)
    satisfaction.surveys_open_due()
    for survey in SatisfactionSurvey.objects.all()[:5]:
        answer(survey, survey.invitations.get().enrollment)
    _as(client, people.beneficiary)

    with django_assert_max_num_queries(10):
        response = client.get(reverse("satisfaction:mine"))

    assert response.status_code == 200
    assert _text(response).count("Répondre au questionnaire") == 6


# Results ---------------------------------------------------------------------------------------------------------


KNOWN = [
    (5, "Oui", "Zéro pause, c'était long."),
    (4, "Oui", "accueil chaleureux"),
    (4, "Non", ""),
    (3, "Sans avis", "Étude de cas utile"),
    (5, "Oui", "Bien"),
]


def _answered(count, *, anonymous=True, trainees=6):
    people = survey_cast(trainees=trainees, anonymous=anonymous)
    people.survey = open_survey(people)
    for enrollment, (scale, choice, text) in zip(people.enrollments, KNOWN[:count], strict=False):
        answer(people.survey, enrollment, scale=scale, choice=choice, text=text)
    return people


def _session_url(people):
    return reverse("satisfaction:session_results", args=[people.session.public_id])


def _action_url(people):
    return reverse("satisfaction:action_results", args=[people.action.public_id])


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
@pytest.mark.parametrize("role", ROLES)
def test_the_results_are_for_the_provider_the_trainers_and_the_operator(client, role):
    people = _answered(5)
    _as(client, getattr(people, role))

    by_session = client.get(_session_url(people))
    by_action = client.get(_action_url(people))

    expected = 200 if role in RESULTS_VIEWERS else 404
    assert (by_session.status_code, by_action.status_code) == (expected, expected)
    if expected == 200:
        assert "4,2 sur 5" in _text(by_session)
        assert "4,2 sur 5" in _text(by_action)


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
def test_four_answers_show_only_the_threshold_message(client):
    people = _answered(4)

    response = _as(client, people.provider_referent).get(_session_url(people))

    text = _text(response)
    assert "Les résultats s'affichent à partir de 5 réponses (4 reçues pour l'instant)." in text
    assert "Moyenne" not in text
    assert "accueil chaleureux" not in text
    assert "4 réponses sur 6 personnes invitées" in text


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
def test_five_answers_show_averages_distributions_and_sorted_texts(client):
    people = _answered(5)

    response = _as(client, people.operator_staff).get(_session_url(people))

    text = _text(response)
    assert "Moyenne : <strong>4,2 sur 5</strong> (5 réponses)" in text
    assert re.search(r"<th scope=\"row\">4</th>\s*<td>2</td>\s*<td>40\xa0%</td>", text)
    assert re.search(r"<th scope=\"row\">Oui</th>\s*<td>3</td>\s*<td>60\xa0%</td>", text)
    texts = ["accueil chaleureux", "Bien", "Étude de cas utile", "Zéro pause, c'était long."]
    positions = [text.index(item) for item in texts]
    assert positions == sorted(positions)


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
@pytest.mark.parametrize("role", RESULTS_VIEWERS)
def test_an_anonymous_survey_shows_nobody_who_answered_what(client, role):
    people = _answered(5)

    text = _main(_as(client, getattr(people, role)).get(_session_url(people)))

    for enrollment in people.enrollments:
        assert enrollment.beneficiary.last_name not in text
    assert "Réponses nominatives" not in text


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
@pytest.mark.parametrize("role", RESULTS_VIEWERS)
def test_a_named_survey_shows_each_response_with_its_name_to_the_provider_and_operator(client, role):
    people = _answered(5, anonymous=False)

    text = _main(_as(client, getattr(people, role)).get(_session_url(people)))

    named = role in NAMED_VIEWERS
    assert ("Réponses nominatives" in text) == named
    assert ("Léa Petit" in text) == named
    assert "4,2 sur 5" in text


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
def test_a_named_survey_below_the_threshold_shows_no_name(client):
    people = _answered(4, anonymous=False)

    text = _main(_as(client, people.provider_referent).get(_session_url(people)))

    assert "Léa Petit" not in text
    assert "(4 reçues pour l'instant)" in text


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
def test_an_operator_sees_only_its_programme_survey_of_a_shared_session(client):
    people = _answered(5)
    other = ProgrammeFactory(operator=people.other_operator_staff.memberships.get().organisation)
    SurveyQuestionFactory(programme=other, label="Question de l'autre programme ?")
    people.action.programmes.add(other)
    EnrollmentFactory(session=people.session, programme=other, employer=people.employer, enrolled=True)
    satisfaction.surveys_open_due()

    mine = _text(_as(client, people.operator_staff).get(_session_url(people)))
    theirs = _as(client, people.other_operator_staff).get(_session_url(people))
    provider = _text(_as(client, people.provider_referent).get(_session_url(people)))

    assert "4,2 sur 5" in mine
    assert "0 réponse sur 1 personne invitée" not in mine
    assert theirs.status_code == 200
    assert "4,2 sur 5" not in _text(theirs)
    assert "(0 reçue pour l'instant)" in _text(theirs)
    assert "4,2 sur 5" in provider


@pytest.mark.parametrize("role", ROLES)
def test_other_pages_know_who_may_follow_the_results_link(role):
    people = survey_cast(trainees=1)

    assert satisfaction.may_see_session_results(getattr(people, role), people.session) == (role in RESULTS_VIEWERS)


def test_a_session_without_survey_says_so(client):
    people = survey_cast(trainees=1)

    response = _as(client, people.trainer).get(_session_url(people))

    assert response.status_code == 200
    assert "Aucun questionnaire n’a encore été envoyé pour cette session" in _text(response)


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=2)
def test_the_results_pages_run_a_bounded_number_of_queries(client, django_assert_max_num_queries):
    people = survey_cast(trainees=25, anonymous=False)
    survey = open_survey(people)
    for index, enrollment in enumerate(people.enrollments):
        answer(survey, enrollment, scale=index % 5 + 1, choice="Oui", text=f"Texte {index}")
    for days_ago in range(3, 8):
        session = SessionFactory(action=people.action)
        move_session(session, days_ago=days_ago)
        trainees = [EnrollmentFactory(session=session, employer=people.employer, enrolled=True) for _ in range(3)]
        satisfaction.surveys_open_due()
        other = SatisfactionSurvey.objects.get(session=session)
        for trainee in trainees:
            answer(other, trainee)
    _as(client, people.provider_referent)

    with django_assert_max_num_queries(16):
        by_session = client.get(_session_url(people))
    with django_assert_max_num_queries(16):
        by_action = client.get(_action_url(people))

    assert by_session.status_code == by_action.status_code == 200
    # The 25 texts sorted, then the first page of named responses.
    assert _text(by_session).count("Texte ") == 25 + RESPONSES_PER_PAGE
    assert _text(by_action).count('<h3 class="fr-h6 fr-mb-1v"') == RESPONSES_PER_PAGE
    assert "40 réponses sur 40 personnes invitées, 6 questionnaires" in _text(by_action)
