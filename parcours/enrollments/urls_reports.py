from django.urls import path

from parcours.enrollments.views import reports

app_name = "reports"

urlpatterns = [
    path("", reports.provider_list, name="list"),
    path("session/<uuid:session_id>/programme/<uuid:programme_id>/", reports.edit, name="edit"),
    path("operateur/", reports.operator_list, name="operator"),
    path("operateur/<uuid:report_id>/", reports.review, name="review"),
    path("operateur/<uuid:report_id>/accepter/", reports.accept, name="accept"),
    path("operateur/<uuid:report_id>/modifications/", reports.request_changes, name="request_changes"),
]
