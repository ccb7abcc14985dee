"""The satisfaction questionnaire's rules: the programme's questions, opening and reminders, answering once and in
time, anonymity by construction, the threshold, and the figures of the results."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from parcours.audit.models import AuditEvent
from parcours.catalog.enums import SessionStatus
from parcours.catalog.models import Session
from parcours.enrollments import satisfaction
from parcours.enrollments.assessments import session_end
from parcours.enrollments.enums import QuestionKind
from parcours.enrollments.models import (
    SatisfactionSurvey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from parcours.enrollments.satisfaction import SurveyRefused
from parcours.notifications.models import Notification, OutgoingEmail
from tests.catalog.factories import ProgrammeFactory, SessionFactory, TrainingActionFactory
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
    three_questions,
)

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


def _invitations(category=satisfaction.CATEGORY):
    return Notification.objects.filter(category=category)


# The programme's questions ---------------------------------------------------------------------------------------


@pytest.fixture
def operator_people():
    return survey_cast(trainees=0, questions=False)


def test_operator_staff_add_questions_at_the_end(operator_people):
    people = operator_people
    first = satisfaction.survey_question_create(
        programme=people.programme, actor=people.operator_staff, kind=QuestionKind.SCALE, label="  Contenu  ?  "
    )
    second = satisfaction.survey_question_create(
        programme=people.programme,
        actor=people.operator_staff,
        kind=QuestionKind.CHOICE,
        label="Recommanderiez-vous ?",
        choices=["Oui", " Non ", "oui", ""],
    )

    assert (first.position, first.label, first.choices) == (1, "Contenu ?", [])
    assert (second.position, second.choices) == (2, ["Oui", "Non"])
    assert AuditEvent.objects.filter(event_type="survey_question.created").count() == 2


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        (QuestionKind.CHOICE, ["Oui"], "au moins deux réponses différentes"),
        (QuestionKind.CHOICE, ["Oui", "OUI", " oui "], "au moins deux réponses différentes"),
        (QuestionKind.SCALE, ["Oui", "Non"], "Seules les questions à choix"),
        (QuestionKind.TEXT, ["Oui"], "Seules les questions à choix"),
    ],
)
def test_a_choice_needs_two_distinct_options_and_the_others_none(operator_people, kind, options, message):
    with pytest.raises(SurveyRefused, match=message):
        satisfaction.survey_question_create(
            programme=operator_people.programme,
            actor=operator_people.operator_staff,
            kind=kind,
            label="Une question",
            choices=options,
        )

    assert not SurveyQuestion.objects.exists()


@pytest.mark.parametrize("role", ["other_operator_staff", "provider_referent", "beneficiary"])
def test_only_the_programme_operator_staff_change_its_questions(operator_people, role):
    question = SurveyQuestionFactory(programme=operator_people.programme)

    with pytest.raises(PermissionDenied):
        satisfaction.survey_question_create(
            programme=operator_people.programme, actor=getattr(operator_people, role), kind="scale", label="Q ?"
        )
    with pytest.raises(PermissionDenied):
        satisfaction.survey_question_delete(question=question, actor=getattr(operator_people, role))

    assert list(SurveyQuestion.objects.values_list("pk", flat=True)) == [question.pk]


def test_questions_move_up_and_down_and_stay_numbered_after_a_deletion(operator_people):
    people = operator_people
    a, b, c = three_questions(people.programme)

    assert satisfaction.survey_question_move(question=c, actor=people.operator_staff, offset=-1)
    assert not satisfaction.survey_question_move(question=a, actor=people.operator_staff, offset=-1)
    assert [q.pk for q in satisfaction.programme_questions(people.programme)] == [a.pk, c.pk, b.pk]

    satisfaction.survey_question_delete(question=a, actor=people.operator_staff)

    assert [(q.pk, q.position) for q in satisfaction.programme_questions(people.programme)] == [(c.pk, 1), (b.pk, 2)]
    assert not satisfaction.survey_question_move(question=b, actor=people.operator_staff, offset=1)


def test_the_standard_questionnaire_adds_what_is_missing_once(operator_people):
    people = operator_people
    SurveyQuestionFactory(
        programme=people.programme, position=1, label="Recommanderiez-vous cette formation ?", choice=True
    )

    added = satisfaction.survey_questions_add_standard(programme=people.programme, actor=people.operator_staff)
    again = satisfaction.survey_questions_add_standard(programme=people.programme, actor=people.operator_staff)

    questions = satisfaction.programme_questions(people.programme)
    assert (added, again) == (6, 0)
    assert len(questions) == 7
    assert [q.kind for q in questions[1:]] == [QuestionKind.SCALE] * 4 + [QuestionKind.TEXT] * 2
    assert [q.required for q in questions[-2:]] == [False, False]
    assert [q.label for q in questions[-2:]] == ["Ce que vous avez le plus apprécié", "Ce qui pourrait être amélioré"]


def test_the_standard_choice_question_offers_yes_no_no_opinion(operator_people):
    satisfaction.survey_questions_add_standard(
        programme=operator_people.programme, actor=operator_people.operator_staff
    )

    choice = SurveyQuestion.objects.get(kind=QuestionKind.CHOICE)
    assert (choice.label, choice.choices) == ("Recommanderiez-vous cette formation ?", ["Oui", "Non", "Sans avis"])


# Opening ---------------------------------------------------------------------------------------------------------


def test_an_ended_session_opens_its_survey_and_invites_each_enrolled_trainee():
    people = survey_cast(trainees=3, anonymous=True)
    EnrollmentFactory(session=people.session, employer=people.employer, pending_provider=True)
    EnrollmentFactory(session=people.session, employer=people.employer, cancelled=True)
    now = timezone.now()

    run = satisfaction.surveys_open_due(now=now)

    survey = SatisfactionSurvey.objects.get()
    assert run.opened == [survey]
    assert run.invited == 3
    assert survey.is_anonymous is True
    assert survey.opened_at == now
    assert survey.closes_at == now + datetime.timedelta(days=30)
    assert (survey.invited_count, survey.answered_count) == (3, 0)
    assert [(q["key"], q["kind"], q["label"], q["required"]) for q in survey.questions] == [
        ("q1", "scale", SCALE_LABEL, True),
        ("q2", "choice", CHOICE_LABEL, True),
        ("q3", "text", TEXT_LABEL, False),
    ]
    assert survey.questions[1]["choices"] == ["Oui", "Non", "Sans avis"]
    invited = set(SurveyInvitation.objects.filter(survey=survey).values_list("enrollment_id", flat=True))
    assert invited == {enrollment.pk for enrollment in people.enrollments}
    notes = _invitations()
    assert notes.count() == 3
    note = notes.get(user=people.beneficiary)
    assert note.url == satisfaction.answer_url(invitation_of(survey, people.enrollments[0]))
    assert "Gestion de projet" in note.title
    assert "anonymes" in note.body
    email = OutgoingEmail.objects.get(user=people.beneficiary, category=satisfaction.CATEGORY)
    assert note.url in email.body_text
    assert "Répondre au questionnaire" in email.body_html


def test_a_named_programme_says_so_in_the_invitation():
    people = survey_cast(trainees=1, anonymous=False)

    survey = open_survey(people)

    assert survey.is_anonymous is False
    assert "avec votre nom" in _invitations().get().body


def test_a_session_not_ended_yet_opens_nothing():
    people = survey_cast(trainees=2)
    end = session_end(people.session)

    assert satisfaction.surveys_open_due(now=end - datetime.timedelta(minutes=1)).opened == []
    assert satisfaction.surveys_open_due(now=end).opened != []


def test_a_session_in_the_future_opens_nothing():
    people = survey_cast(trainees=2)
    move_session(people.session, days_ago=-3)

    assert satisfaction.surveys_open_due().opened == []
    assert not SatisfactionSurvey.objects.exists()


def test_a_cancelled_session_opens_nothing():
    people = survey_cast(trainees=2)
    Session.objects.filter(pk=people.session.pk).update(status=SessionStatus.CANCELLED)

    assert satisfaction.surveys_open_due().opened == []
    assert not _invitations().exists()


def test_a_session_ended_too_long_ago_opens_nothing():
    people = survey_cast(trainees=2, days_ago=40)
    end = session_end(people.session)

    assert satisfaction.surveys_open_due(now=end + datetime.timedelta(days=30)).opened == []
    assert satisfaction.surveys_open_due(now=end + datetime.timedelta(days=30) - datetime.timedelta(minutes=1)).opened


def test_a_programme_without_questions_opens_nothing():
    survey_cast(trainees=2, questions=False)

    assert satisfaction.surveys_open_due().opened == []


def test_a_session_without_enrolled_trainees_opens_nothing():
    people = survey_cast(trainees=0)
    EnrollmentFactory(session=people.session, employer=people.employer, waitlisted=True)

    assert satisfaction.surveys_open_due().opened == []


def test_opening_is_idempotent():
    survey_cast(trainees=2)

    first = satisfaction.surveys_open_due()
    second = satisfaction.surveys_open_due()

    assert len(first.opened) == 1
    assert second.opened == []
    assert SatisfactionSurvey.objects.count() == 1
    assert SurveyInvitation.objects.count() == 2
    assert _invitations().count() == 2
    assert OutgoingEmail.objects.filter(category=satisfaction.CATEGORY).count() == 2


def test_each_programme_of_a_session_has_its_survey():
    people = survey_cast(trainees=1)
    other = ProgrammeFactory(survey_is_anonymous=False)
    SurveyQuestionFactory(programme=other, label="Autre question ?")
    people.action.programmes.add(other)
    EnrollmentFactory(session=people.session, programme=other, employer=people.employer, enrolled=True)

    run = satisfaction.surveys_open_due()

    assert len(run.opened) == 2
    surveys = {survey.programme_id: survey for survey in SatisfactionSurvey.objects.all()}
    assert surveys[other.pk].questions[0]["label"] == "Autre question ?"
    assert surveys[other.pk].is_anonymous is False
    assert surveys[people.programme.pk].is_anonymous is True


def test_the_command_prints_what_it_did():
    survey_cast(trainees=2)
    out = StringIO()
    call_command("send_satisfaction_surveys", stdout=out)
    call_command("send_satisfaction_surveys", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines[0].startswith("opened survey=")
    assert lines[1] == "opened=1 invited=2 skipped=0 reminded=0"
    assert lines[2] == "opened=0 invited=0 skipped=0 reminded=0"


def test_editing_the_questions_never_changes_an_opened_survey():
    people = survey_cast(trainees=1)
    survey = open_survey(people)
    before = survey.questions
    scale, choice, _ = people.questions

    satisfaction.survey_question_update(
        question=scale, actor=people.operator_staff, kind="text", label="Nouvelle question", required=False
    )
    satisfaction.survey_question_delete(question=choice, actor=people.operator_staff)
    satisfaction.survey_question_create(
        programme=people.programme, actor=people.operator_staff, kind="scale", label="Q ?"
    )

    survey.refresh_from_db()
    assert survey.questions == before
    answer(survey, people.enrollments[0], scale=5, choice="Non")
    assert set(SurveyAnswer.objects.values_list("question_key", "scale_value", "choice_value")) == {
        ("q1", 5, ""),
        ("q2", None, "Non"),
    }


# Reminders -------------------------------------------------------------------------------------------------------


@pytest.fixture
def reminded():
    """An open survey with three invitations, one already answered; reminders on days 7 and 21."""
    people = survey_cast(trainees=3)
    survey = open_survey(people)
    answer(survey, people.enrollments[2])
    Notification.objects.all().delete()
    people.survey = survey
    return people


def _reminded_counts(survey):
    return dict(SurveyInvitation.objects.filter(survey=survey).values_list("enrollment_id", "reminders_sent"))


@override_settings(PARCOURS_SURVEY_REMINDER_DAYS=[7, 21])
def test_reminders_go_on_the_days_after_opening_to_those_who_have_not_answered(reminded):
    survey = reminded.survey
    opened = survey.opened_at
    first, second, answered = reminded.enrollments

    assert satisfaction.surveys_remind_due(now=opened + 7 * DAY - datetime.timedelta(minutes=1)).reminded == 0
    assert satisfaction.surveys_remind_due(now=opened + 7 * DAY).reminded == 2
    assert satisfaction.surveys_remind_due(now=opened + 7 * DAY + datetime.timedelta(hours=1)).reminded == 0
    assert satisfaction.surveys_remind_due(now=opened + 20 * DAY).reminded == 0
    assert _reminded_counts(survey) == {first.pk: 1, second.pk: 1, answered.pk: 0}
    answer(survey, second)
    assert satisfaction.surveys_remind_due(now=opened + 21 * DAY).reminded == 1
    assert satisfaction.surveys_remind_due(now=opened + 22 * DAY).reminded == 0

    assert _reminded_counts(survey) == {first.pk: 2, second.pk: 1, answered.pk: 0}
    notes = _invitations().filter(user=first.beneficiary)
    assert notes.count() == 2
    assert all(note.title.startswith("Rappel") for note in notes)
    assert not _invitations().filter(user=answered.beneficiary).exists()
    assert OutgoingEmail.objects.filter(user=first.beneficiary, subject__startswith="Rappel").count() == 2


@override_settings(PARCOURS_SURVEY_REMINDER_DAYS=[7, 21])
def test_a_run_that_missed_a_reminder_day_sends_one_reminder_not_two(reminded):
    survey = reminded.survey

    assert satisfaction.surveys_remind_due(now=survey.opened_at + 25 * DAY).reminded == 2
    assert satisfaction.surveys_remind_due(now=survey.opened_at + 26 * DAY).reminded == 0

    assert set(_reminded_counts(survey).values()) == {2, 0}
    assert _invitations().filter(user=reminded.enrollments[0].beneficiary).count() == 1


@override_settings(PARCOURS_SURVEY_REMINDER_DAYS=[7, 21])
def test_a_closed_survey_reminds_nobody(reminded):
    survey = reminded.survey

    assert satisfaction.surveys_remind_due(now=survey.closes_at).reminded == 0
    assert not _invitations().exists()


# Answering -------------------------------------------------------------------------------------------------------


@pytest.fixture
def opened():
    people = survey_cast(trainees=2)
    people.survey = open_survey(people)
    people.invitation = invitation_of(people.survey, people.enrollments[0])
    return people


def _nothing_answered(survey):
    survey.refresh_from_db()
    return (
        survey.answered_count == 0
        and not SurveyResponse.objects.exists()
        and not SurveyAnswer.objects.exists()
        and not SurveyInvitation.objects.filter(has_answered=True).exists()
    )


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"q2": "Oui"}, "Répondez à la question « Dans l'ensemble"),
        ({"q1": 6, "q2": "Oui"}, "choisissez une note de 1 à 5"),
        ({"q1": "beaucoup", "q2": "Oui"}, "choisissez une note de 1 à 5"),
        ({"q1": 3, "q2": "Peut-être"}, "choisissez une des réponses proposées"),
        ({"q1": 3, "q2": "Oui", "q3": "x" * 2001}, "dépasse 2000 caractères"),
    ],
)
def test_invalid_answers_are_refused_and_nothing_is_kept(opened, answers, message):
    with pytest.raises(SurveyRefused, match=message):
        satisfaction.survey_answer(invitation=opened.invitation, actor=opened.beneficiary, answers=answers)

    assert _nothing_answered(opened.survey)


def test_an_answer_is_kept_once_and_counted(opened):
    response = satisfaction.survey_answer(
        invitation=opened.invitation, actor=opened.beneficiary, answers={"q1": "5", "q2": "Sans avis", "q3": "  "}
    )

    opened.survey.refresh_from_db()
    opened.invitation.refresh_from_db()
    assert opened.survey.answered_count == 1
    assert opened.invitation.has_answered is True
    assert response.submitted_on == timezone.localdate()
    assert sorted(response.answers.values_list("question_key", "scale_value", "choice_value", "text_value")) == [
        ("q1", 5, "", ""),
        ("q2", None, "Sans avis", ""),
    ]


def test_a_second_answer_is_refused_and_changes_nothing(opened):
    answer(opened.survey, opened.enrollments[0], scale=5)

    with pytest.raises(SurveyRefused, match=r"Vous avez déjà répondu à ce questionnaire\."):
        answer(opened.survey, opened.enrollments[0], scale=1)

    opened.survey.refresh_from_db()
    assert opened.survey.answered_count == 1
    assert list(SurveyAnswer.objects.filter(question_key="q1").values_list("scale_value", flat=True)) == [5]


def test_a_late_answer_is_refused_with_the_closing_day(opened):
    closes_at = timezone.make_aware(datetime.datetime(2026, 3, 12, 8, 0))
    SatisfactionSurvey.objects.filter(pk=opened.survey.pk).update(closes_at=closes_at)

    with pytest.raises(SurveyRefused) as refused:
        answer(opened.survey, opened.enrollments[0])

    assert str(refused.value) == "Ce questionnaire est clos depuis le 12 mars 2026."
    assert _nothing_answered(opened.survey)


@pytest.mark.parametrize("role", ["provider_referent", "operator_staff", "colleague"])
def test_nobody_answers_for_the_trainee(opened, role):
    with pytest.raises(PermissionDenied):
        satisfaction.survey_answer(
            invitation=opened.invitation, actor=getattr(opened, role), answers={"q1": 3, "q2": "Oui"}
        )

    assert _nothing_answered(opened.survey)


def test_an_anonymous_response_carries_no_enrollment_and_leaves_no_audit_event(opened):
    before = AuditEvent.objects.count()

    response = answer(opened.survey, opened.enrollments[0], text="Plus de pratique.")

    assert response.enrollment_id is None
    assert AuditEvent.objects.count() == before
    assert not AuditEvent.objects.filter(actor=opened.beneficiary).exists()
    # Nothing on the response or its answers names the trainee or their invitation.
    fields = {field.name for field in SurveyResponse._meta.get_fields()}
    assert fields == {"id", "survey", "enrollment", "submitted_on", "answers"}
    assert type(response.submitted_on) is datetime.date


def test_a_named_response_carries_the_enrollment_and_is_audited():
    people = survey_cast(trainees=1, anonymous=False)
    survey = open_survey(people)

    response = answer(survey, people.enrollments[0])

    assert response.enrollment_id == people.enrollments[0].pk
    event = AuditEvent.objects.get(event_type="survey.answered")
    assert event.actor == people.beneficiary
    assert event.details == {"survey": str(survey.public_id), "response": response.pk}


# Results ---------------------------------------------------------------------------------------------------------


def _answered(trainees, answers_given, *, anonymous=True, **kwargs):
    people = survey_cast(trainees=trainees, anonymous=anonymous, **kwargs)
    survey = open_survey(people)
    for enrollment, (scale, choice, text) in zip(people.enrollments, answers_given, strict=False):
        answer(survey, enrollment, scale=scale, choice=choice, text=text)
    survey.refresh_from_db()
    people.survey = survey
    return people


KNOWN = [
    (5, "Oui", "Zéro pause, c'était long."),
    (4, "Oui", "accueil chaleureux"),
    (4, "Non", ""),
    (3, "Sans avis", "Étude de cas utile"),
    (5, "Oui", "Bien"),
]


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
def test_four_answers_show_no_result():
    people = _answered(6, KNOWN[:4])

    results = satisfaction.survey_results([people.survey])

    assert not results.shown
    assert results.questions == []
    assert results.waiting_message == "Les résultats s'affichent à partir de 5 réponses (4 reçues pour l'instant)."


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
def test_five_answers_show_averages_distributions_and_sorted_texts():
    people = _answered(6, KNOWN)

    results = satisfaction.survey_results([people.survey])

    assert results.shown
    assert (results.invited, results.received, results.counted) == (6, 5, 5)
    scale, choice, text = results.questions
    assert (scale.label, scale.answers, scale.average) == (SCALE_LABEL, 5, "4,2")
    assert [(bar.label, bar.count, bar.percent) for bar in scale.bars] == [
        ("1 (pas du tout satisfait)", 0, 0),
        ("2", 0, 0),
        ("3", 1, 20),
        ("4", 2, 40),
        ("5 (très satisfait)", 2, 40),
    ]
    assert [(bar.label, bar.count, bar.percent) for bar in choice.bars] == [
        ("Oui", 3, 60),
        ("Non", 1, 20),
        ("Sans avis", 1, 20),
    ]
    assert text.answers == 4
    assert text.texts == ["accueil chaleureux", "Bien", "Étude de cas utile", "Zéro pause, c'était long."]


def test_the_average_rounds_to_one_decimal_with_a_comma():
    people = _answered(3, [(5, "Oui", ""), (4, "Oui", ""), (4, "Oui", "")])

    with override_settings(PARCOURS_SURVEY_MIN_ANSWERS=3):
        results = satisfaction.survey_results([people.survey])

    assert results.questions[0].average == "4,3"  # 13 / 3


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=2)
def test_an_action_groups_questions_by_type_and_wording_and_leaves_out_small_surveys():
    people = _answered(3, [(5, "Oui", "B"), (3, "Non", "a")])
    # A second session of the same action, its programme asking the same question in another place, plus another.
    later = SessionFactory(action=people.action)
    move_session(later, days_ago=3)
    SurveyQuestion.objects.filter(programme=people.programme).delete()
    SurveyQuestionFactory(programme=people.programme, position=1, label="Autre question ?")
    SurveyQuestionFactory(programme=people.programme, position=2, label=SCALE_LABEL)
    trainees = [EnrollmentFactory(session=later, employer=people.employer, enrolled=True) for _ in range(2)]
    satisfaction.surveys_open_due()
    second = SatisfactionSurvey.objects.get(session=later)
    for trainee, (other, overall) in zip(trainees, [(1, 4), (2, 2)], strict=True):
        satisfaction.survey_answer(
            invitation=invitation_of(second, trainee), actor=trainee.beneficiary, answers={"q1": other, "q2": overall}
        )
    # A third session with a single answer: below the threshold, it is left out.
    third = SessionFactory(action=people.action)
    move_session(third, days_ago=4)
    lonely = EnrollmentFactory(session=third, employer=people.employer, enrolled=True)
    satisfaction.surveys_open_due()
    third_survey = SatisfactionSurvey.objects.get(session=third)
    satisfaction.survey_answer(
        invitation=invitation_of(third_survey, lonely), actor=lonely.beneficiary, answers={"q1": 1, "q2": 1}
    )

    surveys = list(SatisfactionSurvey.objects.filter(session__action=people.action).order_by("pk"))
    results = satisfaction.survey_results(surveys)

    assert (results.received, results.counted, results.left_out) == (5, 4, 1)
    by_label = {(q.kind, q.label): q for q in results.questions}
    overall = by_label[("scale", SCALE_LABEL)]
    assert (overall.answers, overall.average) == (4, "3,5")  # 5, 3, 4, 2
    other = by_label[("scale", "Autre question ?")]
    assert (other.answers, other.average) == (2, "1,5")
    assert by_label[("text", TEXT_LABEL)].texts == ["a", "B"]
    assert len(results.questions) == 4


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=5)
def test_surveys_each_below_the_threshold_show_nothing_together():
    people = _answered(3, KNOWN[:3])
    later = SessionFactory(action=people.action)
    move_session(later, days_ago=3)
    trainees = [EnrollmentFactory(session=later, employer=people.employer, enrolled=True) for _ in range(3)]
    satisfaction.surveys_open_due()
    second = SatisfactionSurvey.objects.get(session=later)
    for trainee in trainees:
        answer(second, trainee)

    results = satisfaction.survey_results(list(SatisfactionSurvey.objects.all()))

    assert not results.shown
    assert results.received == 6
    assert "à un même questionnaire (6 reçues" in results.waiting_message


@override_settings(PARCOURS_SURVEY_MIN_ANSWERS=2)
def test_named_responses_come_only_from_named_surveys():
    people = _answered(2, KNOWN[:2], anonymous=False)
    scope = satisfaction.ResultsScope(
        surveys=satisfaction.Q(pk=people.survey.pk), named=satisfaction.Q(pk=people.survey.pk)
    )
    results = satisfaction.survey_results([people.survey])

    rows = satisfaction.named_rows(satisfaction.named_responses(results, scope))

    beneficiaries = sorted((e.beneficiary for e in people.enrollments), key=lambda u: (u.last_name, u.first_name))
    assert [row.name for row in rows] == [user.get_full_name() for user in beneficiaries]
    lea = next(row for row in rows if row.name == "Léa Petit")
    assert lea.answers == [(SCALE_LABEL, "5 sur 5"), (CHOICE_LABEL, "Oui"), (TEXT_LABEL, "Zéro pause, c'était long.")]

    SatisfactionSurvey.objects.filter(pk=people.survey.pk).update(is_anonymous=True)
    people.survey.refresh_from_db()
    assert list(satisfaction.named_responses(satisfaction.survey_results([people.survey]), scope)) == []


# Summaries -------------------------------------------------------------------------------------------------------


def test_the_session_summary_counts_invited_and_answered(django_assert_num_queries):
    people = survey_cast(trainees=3)
    assert satisfaction.session_survey_summary(people.session) is None
    survey = open_survey(people)
    answer(survey, people.enrollments[1])
    other = SessionFactory(action=TrainingActionFactory())

    with django_assert_num_queries(1):
        summaries = satisfaction.sessions_survey_summaries([people.session.pk, other.pk])

    summary = summaries[people.session.pk]
    assert other.pk not in summaries
    assert (summary.invited, summary.answered, summary.is_open) == (3, 1, True)
    assert summary.url == f"/questionnaires/resultats/session/{people.session.public_id}/"
