from django.urls import path

from parcours.organisations.views import professional

app_name = "organisations"

urlpatterns = [
    path("", professional.home, name="home"),
    path("<uuid:public_id>/demandes/", professional.requests, name="requests"),
]
