"""Satisfaction questionnaire pages (enrollments/satisfaction.py has the rules).

- The programme's questions: its operator's staff; another operator's staff get a 404, anyone who is no operator
  staff a 403 (as the programme pages).
- "Mes questionnaires" and answering: the invitation's trainee only; anybody else gets a 404.
- Results per session and per action: the provider's référents and managers, the session's trainers, the staff
  of the programme's operator; anybody else gets a 404.
"""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parcours.enrollments import satisfaction
from parcours.enrollments.forms_satisfaction import QuestionForm, SurveyAnswerForm
from parcours.enrollments.satisfaction import SurveyRefused
from parcours.enrollments.views.common import paginate

PAST_PER_PAGE = 20
RESPONSES_PER_PAGE = 20
SESSIONS_PER_PAGE = 20


# The programme's questions ---------------------------------------------------------------------------------------


def _questions_url(programme) -> str:
    return reverse("satisfaction:questions", args=[programme.public_id])


def _programme_crumbs(programme) -> list[dict]:
    return [
        {"label": "Programmes", "url": reverse("catalog_manage:programmes")},
        {"label": programme.name, "url": reverse("catalog_manage:programme_edit", args=[programme.public_id])},
    ]


@require_GET
def questions(request, programme_id):
    programme = satisfaction.programme_for_questions(request.user, programme_id)
    context = {
        "programme": programme,
        "questions": satisfaction.programme_questions(programme),
        "opened_surveys": programme.satisfaction_surveys.count(),
        "crumbs": _programme_crumbs(programme),
        "questions_max": satisfaction.QUESTIONS_MAX,
        "open_days": settings.PARCOURS_SURVEY_OPEN_DAYS,
    }
    return render(request, "enrollments/satisfaction/questions.html", context)


def _question_form_page(request, programme, form, *, question=None):
    title = "Modifier la question" if question else "Ajouter une question"
    context = {
        "programme": programme,
        "form": form,
        "question": question,
        "title": title,
        "crumbs": [
            *_programme_crumbs(programme),
            {"label": "Questionnaire de satisfaction", "url": _questions_url(programme)},
        ],
    }
    return render(
        request, "enrollments/satisfaction/question_form.html", context, status=400 if form.is_bound else 200
    )


def _save_question(request, programme, *, question=None):
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        values = {
            "kind": form.cleaned_data["kind"],
            "label": form.cleaned_data["label"],
            "choices": form.cleaned_data["options"],
            "required": form.cleaned_data["required"],
        }
        try:
            if question is None:
                satisfaction.survey_question_create(programme=programme, actor=request.user, request=request, **values)
            else:
                satisfaction.survey_question_update(question=question, actor=request.user, request=request, **values)
        except SurveyRefused as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                "La question est ajoutée." if question is None else "La question est modifiée.",
            )
            return redirect(_questions_url(programme))
    return _question_form_page(request, programme, form, question=question)


@require_http_methods(["GET", "POST"])
def question_add(request, programme_id):
    programme = satisfaction.programme_for_questions(request.user, programme_id)
    return _save_question(request, programme)


@require_http_methods(["GET", "POST"])
def question_edit(request, programme_id, question_id):
    programme = satisfaction.programme_for_questions(request.user, programme_id)
    question = satisfaction.question_of(programme, question_id)
    return _save_question(request, programme, question=question)


@require_http_methods(["GET", "POST"])
def question_delete(request, programme_id, question_id):
    programme = satisfaction.programme_for_questions(request.user, programme_id)
    question = satisfaction.question_of(programme, question_id)
    if request.method == "POST":
        satisfaction.survey_question_delete(question=question, actor=request.user, request=request)
        messages.success(request, f"La question « {question.label} » est supprimée.")
        return redirect(_questions_url(programme))
    context = {
        "programme": programme,
        "question": question,
        "crumbs": [
            *_programme_crumbs(programme),
            {"label": "Questionnaire de satisfaction", "url": _questions_url(programme)},
        ],
    }
    return render(request, "enrollments/satisfaction/question_delete.html", context)


@require_POST
def question_move(request, programme_id, question_id, offset):
    programme = satisfaction.programme_for_questions(request.user, programme_id)
    question = satisfaction.question_of(programme, question_id)
    try:
        moved = satisfaction.survey_question_move(
            question=question, actor=request.user, offset=offset, request=request
        )
    except SurveyRefused as error:
        messages.error(request, str(error))
    else:
        if not moved:
            messages.info(
                request,
                "Cette question est déjà la première." if offset < 0 else "Cette question est déjà la dernière.",
            )
    return redirect(f"{_questions_url(programme)}#question-{question.public_id}")


@require_POST
def questions_standard(request, programme_id):
    programme = satisfaction.programme_for_questions(request.user, programme_id)
    try:
        added = satisfaction.survey_questions_add_standard(programme=programme, actor=request.user, request=request)
    except SurveyRefused as error:
        messages.error(request, str(error))
    else:
        if added:
            messages.success(request, f"Questions du questionnaire type ajoutées : {added}.")
        else:
            messages.info(request, "Le questionnaire compte déjà toutes les questions du questionnaire type.")
    return redirect(_questions_url(programme))


# The trainee's pages ---------------------------------------------------------------------------------------------


@require_GET
def mine(request):
    to_answer, past = satisfaction.trainee_invitations(request.user)
    page = Paginator(past, PAST_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "enrollments/satisfaction/mine.html", {"to_answer": to_answer, "page": page})


def _answer_page(request, invitation, form, *, refused: str = "", status: int = 200):
    survey = invitation.survey
    session = invitation.enrollment.session
    context = {
        "invitation": invitation,
        "survey": survey,
        "session": session,
        "action": session.action,
        "form": form,
        "refused": refused,
        "is_open": satisfaction.survey_is_open(survey),
        "closed_message": satisfaction.closed_message(survey),
        "min_answers": satisfaction.min_answers(),
        "crumbs": [{"label": "Mes questionnaires", "url": reverse("satisfaction:mine")}],
    }
    return render(request, "enrollments/satisfaction/answer.html", context, status=status)


@require_http_methods(["GET", "POST"])
def answer(request, invitation_id):
    invitation = satisfaction.invitation_for_trainee(request.user, invitation_id)
    questions = invitation.survey.questions
    if request.method == "GET":
        return _answer_page(request, invitation, SurveyAnswerForm(questions=questions))
    form = SurveyAnswerForm(request.POST, questions=questions)
    if invitation.has_answered or timezone.now() >= invitation.survey.closes_at:
        # Refused before validation: what was typed does not matter any more.
        message = (
            satisfaction.ALREADY_ANSWERED
            if invitation.has_answered
            else satisfaction.closed_message(invitation.survey)
        )
        return _answer_page(request, invitation, form, refused=message, status=400)
    if not form.is_valid():
        return _answer_page(request, invitation, form, status=400)
    try:
        satisfaction.survey_answer(invitation=invitation, actor=request.user, answers=form.answers(), request=request)
    except SurveyRefused as error:
        invitation.refresh_from_db(fields=["has_answered"])
        return _answer_page(request, invitation, form, refused=str(error), status=400)
    messages.success(request, "Merci : vos réponses sont enregistrées.")
    return redirect("satisfaction:mine")


# Results ---------------------------------------------------------------------------------------------------------


def _results_context(request, scope) -> dict:
    surveys = satisfaction.surveys_in(scope)
    results = satisfaction.survey_results(surveys)
    responses_pager = None
    rows = []
    if results.shown:
        responses = satisfaction.named_responses(results, scope)
        responses_pager = paginate(
            request, responses, param="reponses", per_page=RESPONSES_PER_PAGE, anchor="reponses"
        )
        rows = satisfaction.named_rows(responses_pager.page.object_list)
    anonymous = sum(1 for survey in surveys if survey.is_anonymous)
    return {
        "surveys": surveys,
        "results": results,
        "responses_pager": responses_pager,
        "responses": rows,
        "all_anonymous": bool(surveys) and anonymous == len(surveys),
        "now": timezone.now(),
    }


@require_GET
def session_results(request, session_id):
    session, scope = satisfaction.session_for_results(request.user, session_id)
    context = {"session": session, "action": session.action, **_results_context(request, scope)}
    return render(request, "enrollments/satisfaction/session_results.html", context)


@require_GET
def action_results(request, action_id):
    action, scope = satisfaction.action_for_results(request.user, action_id)
    context = {"action": action, **_results_context(request, scope)}
    # The sessions' table pages through the surveys already read for the results: no query more.
    context["sessions_pager"] = paginate(
        request, context["surveys"], param="sessions", per_page=SESSIONS_PER_PAGE, anchor="sessions"
    )
    return render(request, "enrollments/satisfaction/action_results.html", context)
