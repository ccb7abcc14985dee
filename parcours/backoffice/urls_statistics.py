from django.urls import path

from parcours.backoffice.views import statistics

app_name = "statistics"

urlpatterns = [
    path("", statistics.statistics_home, name="home"),
    # The same filters as the page, in the query string.
    path("export/<str:file_format>/", statistics.statistics_export, name="export"),
]
