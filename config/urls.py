from allauth.account import views as allauth_views
from django.contrib import admin
from django.urls import include, path
from django.views.decorators.debug import sensitive_post_parameters

urlpatterns = [
    path("", include("parcours.web.urls")),
    path("compte/", include("parcours.accounts.urls")),
    # The identifier may be a NIR: error reports must never show it.
    path("compte/login/", sensitive_post_parameters("login", "password")(allauth_views.login), name="account_login"),
    path("compte/", include("allauth.urls")),
    path("structures/", include("parcours.organisations.urls")),
    path("etablissement-scolaire/", include("parcours.organisations.urls_schools")),
    path("operateur/statistiques/", include("parcours.backoffice.urls_statistics")),
    path("operateur/", include("parcours.backoffice.urls")),
    path("formations/", include("parcours.catalog.urls")),
    path("offre-de-formation/", include("parcours.catalog.urls_manage")),
    path("inscriptions/", include("parcours.enrollments.urls")),
    path("tableau-de-bord/recapitulatif/", include("parcours.enrollments.urls_recap")),
    path("tableau-de-bord/", include("parcours.enrollments.urls_dashboards")),
    path("notifications/", include("parcours.notifications.urls_centre")),
    path("documents/", include("parcours.documents.urls")),
    path("conventions/", include("parcours.enrollments.urls_conventions")),
    path("emargement/", include("parcours.enrollments.urls_attendance")),
    path("evaluations/", include("parcours.enrollments.urls_assessments")),
    path("questionnaires/", include("parcours.enrollments.urls_satisfaction")),
    path("bilans/", include("parcours.enrollments.urls_reports")),
    path("dev/outbox/", include("parcours.notifications.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "parcours.web.views.errors.bad_request"
handler403 = "parcours.web.views.errors.permission_denied"
handler404 = "parcours.web.views.errors.page_not_found"
handler500 = "parcours.web.views.errors.server_error"
