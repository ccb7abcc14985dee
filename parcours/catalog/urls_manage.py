"""Mounted at /offre-de-formation/: the providers' offer and, under programmes/, the operators' programmes."""

from django.urls import path

from parcours.catalog.views import manage, programmes

app_name = "catalog_manage"

urlpatterns = [
    path("", manage.actions, name="actions"),
    path("actions/nouvelle/", manage.action_create, name="action_create"),
    path("actions/<uuid:public_id>/", manage.action_detail, name="action_detail"),
    path("actions/<uuid:public_id>/modifier/", manage.action_edit, name="action_edit"),
    path("actions/<uuid:public_id>/publier/", manage.action_publish, name="action_publish"),
    path("actions/<uuid:public_id>/archiver/", manage.action_archive, name="action_archive"),
    path("actions/<uuid:public_id>/brouillon/", manage.action_to_draft, name="action_to_draft"),
    path("actions/<uuid:public_id>/sessions/nouvelle/", manage.session_create, name="session_create"),
    path("sessions/<uuid:public_id>/", manage.session_detail, name="session_detail"),
    path("sessions/<uuid:public_id>/modifier/", manage.session_edit, name="session_edit"),
    path("sessions/<uuid:public_id>/clore/", manage.session_close, name="session_close"),
    path("sessions/<uuid:public_id>/rouvrir/", manage.session_reopen, name="session_reopen"),
    path("sessions/<uuid:public_id>/annuler/", manage.session_cancel, name="session_cancel"),
    path("sessions/<uuid:public_id>/demi-journees/", manage.slot_add, name="slot_add"),
    path("sessions/<uuid:public_id>/demi-journees/habituelles/", manage.slots_add_usual, name="slots_add_usual"),
    path("sessions/<uuid:public_id>/demi-journees/<uuid:slot_id>/supprimer/", manage.slot_remove, name="slot_remove"),
    path("programmes/", programmes.programmes, name="programmes"),
    path("programmes/nouveau/", programmes.programme_create, name="programme_create"),
    path("programmes/<uuid:public_id>/modifier/", programmes.programme_edit, name="programme_edit"),
    path("programmes/<uuid:public_id>/actions/", programmes.programme_actions, name="programme_actions"),
    path(
        "programmes/<uuid:public_id>/actions/<uuid:action_id>/retirer/",
        programmes.action_unpublish,
        name="action_unpublish",
    ),
]
