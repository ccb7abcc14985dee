from django.urls import path

from parcours.enrollments.views import assessments

app_name = "assessments"

urlpatterns = [
    path("session/<uuid:session_id>/", assessments.session, name="session"),
    path(
        "session/<uuid:session_id>/attestations/",
        assessments.issue_all,
        {"kind_slug": "attestations"},
        name="attestations_issue_all",
    ),
    path(
        "session/<uuid:session_id>/certificats/",
        assessments.issue_all,
        {"kind_slug": "certificats"},
        name="certificates_issue_all",
    ),
    path("inscription/<uuid:enrollment_id>/", assessments.enrollment, name="enrollment"),
    path("inscription/<uuid:enrollment_id>/evaluer/", assessments.assess, name="assess"),
    path("inscription/<uuid:enrollment_id>/attestation/", assessments.attestation_issue, name="attestation_issue"),
    path("inscription/<uuid:enrollment_id>/certificat/", assessments.certificate_issue, name="certificate_issue"),
]
