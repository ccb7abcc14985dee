from django.urls import path

from parcours.backoffice import views

app_name = "backoffice"

urlpatterns = [
    path("demandes/<uuid:public_id>/", views.request_detail, name="request"),
]
