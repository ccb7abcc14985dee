from django.urls import path

from parcours.enrollments.views import recap

app_name = "recap"

urlpatterns = [
    path("", recap.page, name="page"),
    path("telecharger.<str:file_format>", recap.download, name="download"),
]
