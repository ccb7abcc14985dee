from django.urls import path

from parcours.enrollments.views import detail, request

app_name = "enrollments"

urlpatterns = [
    path("session/<uuid:session_id>/demander/", request.request_create, name="request"),
    path("session/<uuid:session_id>/inscrire-un-salarie/", request.enroll_employee, name="enroll_employee"),
    path("<uuid:public_id>/", detail.detail, name="detail"),
    path("<uuid:public_id>/action/<slug:action>/", detail.transition, name="transition"),
    path("<uuid:public_id>/messages/", detail.message_create, name="message"),
]
