from django.urls import path

from parcours.organisations.views import organisation, professional

app_name = "organisations"

urlpatterns = [
    path("", professional.home, name="home"),
    path("rechercher/", professional.search, name="search"),
    path("creer/", professional.create, name="create"),
    path("rejoindre/<uuid:public_id>/", professional.join, name="join"),
    path("mes-demandes/<uuid:request_id>/", professional.request_sent, name="request_sent"),
    path("mes-demandes/<uuid:request_id>/retirer/", professional.request_withdraw, name="request_withdraw"),
    path("<uuid:public_id>/", organisation.detail, name="detail"),
    path("<uuid:public_id>/demandes/", organisation.requests, name="requests"),
    path("<uuid:public_id>/demandes/<uuid:request_id>/", organisation.request_decide, name="request_decide"),
    path("<uuid:public_id>/membres/<uuid:membership_id>/role/", organisation.member_role, name="member_role"),
    path("<uuid:public_id>/membres/<uuid:membership_id>/retirer/", organisation.member_remove, name="member_remove"),
    path("<uuid:public_id>/referent/", organisation.handover, name="handover"),
    path("<uuid:public_id>/quitter/", organisation.leave, name="leave"),
    path("<uuid:public_id>/modifier/", organisation.change, name="change"),
]
