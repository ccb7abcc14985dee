from django.urls import path

from parcours.accounts.views import (
    account,
    my_account,
    registration,
    signup_professional,
    signup_stagiaire,
    signup_titulaire,
)

app_name = "accounts"

urlpatterns = [
    path("inscription/titulaire/", signup_titulaire.terms, name="signup_titulaire"),
    path("inscription/titulaire/identite/", signup_titulaire.identity, name="signup_titulaire_identity"),
    path("inscription/titulaire/mot-de-passe/", signup_titulaire.password, name="signup_titulaire_password"),
    path("inscription/titulaire/annuler/", signup_titulaire.cancel, name="signup_titulaire_cancel"),
    path("inscription/stagiaire/", signup_stagiaire.start, name="signup_stagiaire"),
    path("inscription/stagiaire/code/", signup_stagiaire.code, name="signup_stagiaire_code"),
    path("inscription/stagiaire/mot-de-passe/", signup_stagiaire.password, name="signup_stagiaire_password"),
    path("inscription/professionnel/", signup_professional.signup, name="signup_professional"),
    path("inscription/courriel-envoye/", registration.sent, name="registration_sent"),
    path("inscription/confirmer/<str:token>/", registration.confirm, name="registration_confirm"),
    path("conditions-d-utilisation/", account.terms_stage, name="terms_accept"),
    path("identifiant-oublie/", account.forgot_identifier, name="forgot_identifier"),
    path("structure/", account.professional_home, name="professional_home"),
    path("mon-compte/", my_account.overview, name="my_account"),
    path("mon-compte/informations/", my_account.profile, name="profile"),
    path("mon-compte/adresse-electronique/", my_account.email_change, name="email_change"),
    path(
        "mon-compte/adresse-electronique/confirmer/<str:token>/",
        my_account.email_change_confirm_view,
        name="email_change_confirm",
    ),
    path("mon-compte/sessions/", my_account.sessions, name="sessions"),
    path("mon-compte/historique/", my_account.history, name="history"),
    path("mon-compte/mes-donnees/", my_account.my_data, name="my_data"),
    path("mon-compte/mes-donnees/telecharger/", my_account.my_data_download, name="my_data_download"),
    path("mon-compte/mes-donnees/supprimer/", my_account.deletion, name="deletion"),
]
