from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parcours.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self) -> None:
        # allauth's MFA events (enabled, disabled, codes used) go to our audit log.
        from parcours.accounts.services.mfa import mfa_audit_connect

        mfa_audit_connect()
