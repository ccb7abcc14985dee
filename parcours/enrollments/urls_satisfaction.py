from django.urls import path

from parcours.enrollments.views import satisfaction

app_name = "satisfaction"

urlpatterns = [
    path("", satisfaction.mine, name="mine"),
    path("<uuid:invitation_id>/", satisfaction.answer, name="answer"),
    path("programmes/<uuid:programme_id>/", satisfaction.questions, name="questions"),
    path("programmes/<uuid:programme_id>/ajouter/", satisfaction.question_add, name="question_add"),
    path(
        "programmes/<uuid:programme_id>/questionnaire-type/",
        satisfaction.questions_standard,
        name="questions_standard",
    ),
    path(
        "programmes/<uuid:programme_id>/questions/<uuid:question_id>/",
        satisfaction.question_edit,
        name="question_edit",
    ),
    path(
        "programmes/<uuid:programme_id>/questions/<uuid:question_id>/supprimer/",
        satisfaction.question_delete,
        name="question_delete",
    ),
    path(
        "programmes/<uuid:programme_id>/questions/<uuid:question_id>/monter/",
        satisfaction.question_move,
        {"offset": -1},
        name="question_up",
    ),
    path(
        "programmes/<uuid:programme_id>/questions/<uuid:question_id>/descendre/",
        satisfaction.question_move,
        {"offset": 1},
        name="question_down",
    ),
    path("resultats/session/<uuid:session_id>/", satisfaction.session_results, name="session_results"),
    path("resultats/action/<uuid:action_id>/", satisfaction.action_results, name="action_results"),
]
