from django.urls import path

from parcours.web.views import pages, switcher

app_name = "web"

urlpatterns = [
    path("", pages.home, name="home"),
    path("mentions-legales/", pages.legal_notice, name="legal_notice"),
    path("donnees-personnelles/", pages.privacy, name="privacy"),
    path("conditions-generales-d-utilisation/", pages.terms, name="terms"),
    path("accessibilite/", pages.accessibility, name="accessibility"),
    path("organisation-affichee/", switcher.switch_organisation, name="switch_organisation"),
]
