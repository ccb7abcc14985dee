from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parcours.accounts"
    label = "accounts"
    verbose_name = "Comptes"
