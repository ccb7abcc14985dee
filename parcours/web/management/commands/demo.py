"""Demo data for `make run`: idempotent, and prints the accounts to walk each journey with."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction

from parcours.accounts.models import User
from parcours.accounts.services import user_create_confirmed

# Public on purpose: these accounts exist only in demo databases, on reserved example domains.
DEMO_PASSWORD = "Formation-Demo-2026!"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    first_name: str
    last_name: str
    totp_secret: str = ""


ACCOUNTS = [
    DemoAccount("compte confirmé, sans rôle", "camille.martin@example.org", "Camille", "Martin"),
    DemoAccount("compte confirmé, sans rôle", "karim.benali@example.org", "Karim", "Benali"),
    DemoAccount("compte confirmé, sans rôle", "sophie.lefevre@example.org", "Sophie", "Lefèvre"),
]


class Command(BaseCommand):
    help = "Crée ou remet en état les données de démonstration (idempotent) et affiche les comptes."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        created = updated = 0
        for account in ACCOUNTS:
            user = User.objects.filter(email=account.email).first()
            if user is None:
                user_create_confirmed(
                    email=account.email,
                    password=DEMO_PASSWORD,
                    first_name=account.first_name,
                    last_name=account.last_name,
                )
                created += 1
                continue
            # Put the account back as printed, whatever a demo user changed.
            user.first_name, user.last_name, user.is_active = account.first_name, account.last_name, True
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["first_name", "last_name", "is_active", "password"])
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            updated += 1
        self.stdout.write(f"demo users created={created} updated={updated}")
        self.stdout.write("")
        self.stdout.write("Comptes de démonstration :")
        for account in ACCOUNTS:
            line = f"  {account.role} : {account.first_name} {account.last_name} — {account.email} — mot de passe : {DEMO_PASSWORD}"
            if account.totp_secret:
                line += f" — secret TOTP : {account.totp_secret}"
            self.stdout.write(line)
