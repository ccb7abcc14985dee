from django.urls import path

from parcours.enrollments.views import dashboards

app_name = "dashboards"

urlpatterns = [
    path("mes-formations/", dashboards.beneficiary, name="beneficiary"),
    path("employeur/", dashboards.employer, name="employer"),
    path("organisme/", dashboards.provider, name="provider"),
    path("organisme/sessions/<uuid:public_id>/", dashboards.provider_session, name="provider_session"),
    path(
        "organisme/sessions/<uuid:public_id>/export.<str:file_format>",
        dashboards.provider_session_export,
        name="provider_session_export",
    ),
    path("operateur/", dashboards.operator, name="operator"),
]
