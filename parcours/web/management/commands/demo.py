"""Demo data for `make run`: idempotent, and prints the accounts to walk each journey with."""

import datetime
from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.core.management.base import BaseCommand
from django.db import transaction

from parcours.accounts.enums import Civility, RegistrationKind
from parcours.accounts.models import User
from parcours.accounts.nir import nir_key
from parcours.accounts.services.legacy import legacy_account_reset
from parcours.accounts.services.mfa import totp_activate
from parcours.accounts.services.users import user_create_confirmed, user_reset_confirmed

# Public on purpose: these accounts exist only in demo databases, on reserved example domains.
DEMO_PASSWORD = "Formation-Demo-2026!"  # noqa: S105
DEMO_NIR = "1850578006084"
DEMO_TOTP_SECRET = "PARCOURSDEMOTOTPSECRETKEYAAAAAAA"  # noqa: S105


@dataclass(frozen=True)
class DemoAccount:
    role: str
    email: str
    first_name: str
    last_name: str
    identity: dict = field(default_factory=dict)
    totp_secret: str = ""

    @property
    def identifiers(self) -> str:
        nir = self.identity.get("nir_body")
        return f"{self.email} (ou NIR {nir}{nir_key(nir)})" if nir else self.email


ACCOUNTS = [
    DemoAccount(
        "titulaire",
        "julien.moreau@example.org",
        "Julien",
        "Moreau",
        {
            "registration_kind": RegistrationKind.TITULAIRE,
            "civility": Civility.MONSIEUR,
            "birth_date": datetime.date(1985, 5, 14),
            "phone_mobile": "+33612345678",
            "nir_body": DEMO_NIR,
        },
    ),
    DemoAccount(
        "stagiaire",
        "ines.haddad@example.org",
        "Inès",
        "Haddad",
        {
            "registration_kind": RegistrationKind.STAGIAIRE,
            "birth_date": datetime.date(2001, 9, 3),
            "remuneration_dossier_claim": "RS-2026-004512",
        },
    ),
    DemoAccount(
        "professionnel sans structure (salarié, employeur, organisme ou établissement à rattacher)",
        "nathalie.girard@example.org",
        "Nathalie",
        "Girard",
        {"registration_kind": RegistrationKind.PROFESSIONNEL, "civility": Civility.MADAME},
    ),
    DemoAccount("compte confirmé, sans rôle", "camille.martin@example.org", "Camille", "Martin"),
    DemoAccount(
        "titulaire avec double authentification",
        "helene.petit@example.org",
        "Hélène",
        "Petit",
        {"registration_kind": RegistrationKind.TITULAIRE, "civility": Civility.MADAME},
        totp_secret=DEMO_TOTP_SECRET,
    ),
]

# Taken over from an older tool: no password until its holder chooses one through the emailed link.
LEGACY_ACCOUNT = {
    "email": "michel.blanc@example.org",
    "first_name": "Michel",
    "last_name": "Blanc",
    "phone": "05 56 00 00 00",
    "siret": "35600000000048",
}


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
                    **account.identity,
                )
                created += 1
            else:
                # Put the account back as printed, whatever a visitor changed.
                user_reset_confirmed(
                    user=user,
                    password=DEMO_PASSWORD,
                    first_name=account.first_name,
                    last_name=account.last_name,
                    **account.identity,
                )
                updated += 1
            if account.totp_secret:
                user = User.objects.get(email=account.email)
                Authenticator.objects.filter(user=user).delete()
                totp_activate(user=user, secret=account.totp_secret)
        if legacy_account_reset(**LEGACY_ACCOUNT):
            created += 1
        else:
            updated += 1
        self.stdout.write(f"demo users created={created} updated={updated}")
        self.stdout.write("")
        self.stdout.write("Comptes de démonstration :")
        for account in ACCOUNTS:
            name = f"{account.first_name} {account.last_name}"
            line = f"  {account.role} : {name} — {account.identifiers} — mot de passe : {DEMO_PASSWORD}"
            if account.totp_secret:
                line += f" — secret TOTP : {account.totp_secret}"
            self.stdout.write(line)
        legacy = LEGACY_ACCOUNT
        self.stdout.write(
            f"  compte repris d'un ancien outil : {legacy['first_name']} {legacy['last_name']} — {legacy['email']} — "
            "mot de passe : aucun (tentez de vous connecter, puis suivez le lien reçu dans la boîte de développement)"
        )
