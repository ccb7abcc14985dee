from django.urls import path

from parcours.catalog.views import public

app_name = "catalog"

urlpatterns = [
    path("", public.search, name="search"),
    path("<uuid:public_id>/", public.action, name="action"),
]
