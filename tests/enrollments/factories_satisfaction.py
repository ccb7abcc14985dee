"""Satisfaction questionnaire factories: a programme's questions, and an ended session whose survey is open with
trainees who answer through the service (so counts, rows and notifications are as in real life)."""

import datetime

import factory
from django.utils import timezone

from parcours.catalog.models import Session, Slot
from parcours.enrollments import satisfaction
from parcours.enrollments.enums import QuestionKind
from parcours.enrollments.models import SatisfactionSurvey, SurveyInvitation, SurveyQuestion
from tests.catalog.factories import ProgrammeFactory
from tests.enrollments.factories import EnrollmentFactory, cast


class SurveyQuestionFactory(factory.django.DjangoModelFactory):
    """A 1–5 scale by default; traits `choice` (Oui / Non / Sans avis) and `text` (optional free text)."""

    class Meta:
        model = SurveyQuestion

    class Params:
        choice = factory.Trait(kind=QuestionKind.CHOICE, choices=["Oui", "Non", "Sans avis"])
        text = factory.Trait(kind=QuestionKind.TEXT, required=False)

    programme = factory.SubFactory(ProgrammeFactory)
    position = factory.Sequence(lambda n: n + 1)
    kind = QuestionKind.SCALE
    label = factory.Sequence(lambda n: f"Question {n} ?")
    choices = factory.LazyFunction(list)
    required = True


# The three questions most tests ask: a scale, a choice, an optional free text.
SCALE_LABEL = "Dans l'ensemble, êtes-vous satisfait(e) de cette formation ?"
CHOICE_LABEL = "Recommanderiez-vous cette formation ?"
TEXT_LABEL = "Ce qui pourrait être amélioré"


def three_questions(programme) -> list[SurveyQuestion]:
    return [
        SurveyQuestionFactory(programme=programme, position=1, label=SCALE_LABEL),
        SurveyQuestionFactory(programme=programme, position=2, label=CHOICE_LABEL, choice=True),
        SurveyQuestionFactory(programme=programme, position=3, label=TEXT_LABEL, text=True),
    ]


def move_session(session: Session, *, days_ago: int) -> Session:
    """The session (two half-days on its first day, a two-day span) moved so that it ended `days_ago` days ago
    (its last half-day ends at 17:00 on its first day: the factory's slots)."""
    start = timezone.localdate() - datetime.timedelta(days=days_ago)
    Session.objects.filter(pk=session.pk).update(
        starts_on=start, ends_on=start + datetime.timedelta(days=1), registration_deadline=start
    )
    Slot.objects.filter(session=session).update(date=start)
    session.refresh_from_db()
    return session


def survey_cast(*, days_ago: int = 2, trainees: int = 1, anonymous: bool = True, questions: bool = True):
    """cast() with the session ended `days_ago` days ago, the programme's three questions, and `trainees` enrolled
    people (the first is people.beneficiary, Léa Petit); `people.enrollments` lists them."""
    people = cast(capacity=max(10, trainees))
    people.programme.survey_is_anonymous = anonymous
    people.programme.save(update_fields=["survey_is_anonymous"])
    if questions:
        people.questions = three_questions(people.programme)
    move_session(people.session, days_ago=days_ago)
    people.enrollments = []
    for index in range(trainees):
        fields = {"beneficiary": people.beneficiary} if index == 0 else {}
        people.enrollments.append(
            EnrollmentFactory(session=people.session, employer=people.employer, enrolled=True, **fields)
        )
    return people


def open_survey(people, *, now=None) -> SatisfactionSurvey:
    """The session's survey, opened by the job."""
    satisfaction.surveys_open_due(now=now)
    return SatisfactionSurvey.objects.get(session=people.session, programme=people.programme)


def invitation_of(survey: SatisfactionSurvey, enrollment) -> SurveyInvitation:
    return SurveyInvitation.objects.select_related("survey", "enrollment").get(survey=survey, enrollment=enrollment)


def answer(survey: SatisfactionSurvey, enrollment, *, scale=4, choice="Oui", text=""):
    """The trainee of `enrollment` answers the three questions through the service."""
    invitation = invitation_of(survey, enrollment)
    answers = {"q1": scale, "q2": choice}
    if text:
        answers["q3"] = text
    return satisfaction.survey_answer(invitation=invitation, actor=enrollment.beneficiary, answers=answers)
