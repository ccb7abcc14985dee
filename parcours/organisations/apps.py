from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "parcours.organisations"
    label = "organisations"
    verbose_name = "Organisations"

    def ready(self):
        from parcours.accounts.deletion import deletion_hooks_register
        from parcours.accounts.email_lock import email_lock_register
        from parcours.accounts.mfa import mfa_requirement_register
        from parcours.organisations import signals  # noqa: F401
        from parcours.organisations.permissions import is_operator_staff
        from parcours.organisations.services import deletion
        from parcours.organisations.services.schools import school_login_lock_reason

        # Operator staff validate organisations and see every request of their territory (DESIGN.md).
        mfa_requirement_register(is_operator_staff)
        # An organisation never loses its last référent without the operators knowing (DESIGN.md).
        deletion_hooks_register(
            blocker=deletion.deletion_blocker,
            on_requested=deletion.deletion_requested,
            on_anonymise=deletion.account_anonymising,
        )
        # A school's founding account logs in with the school's official address (seed 002).
        email_lock_register(school_login_lock_reason)
