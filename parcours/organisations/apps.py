from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "parcours.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self):
        from parcours.accounts.mfa import mfa_requirement_register
        from parcours.organisations.permissions import is_operator_staff

        from parcours.organisations import signals  # noqa: F401

        # Operator staff validate organisations and see every request of their territory (DESIGN.md).
        mfa_requirement_register(is_operator_staff)
