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
from parcours.web import demo_catalog, demo_ended, demo_organisations, demo_running
from parcours.web.demo_organisations import DEMO_COLLEGE, DEMO_LYCEE

# Public on purpose: these accounts exist only in demo databases, on reserved example domains.
DEMO_PASSWORD = "Formation-Demo-2026!"  # noqa: S105
DEMO_NIR = "1850578006084"
DEMO_TOTP_SECRET = "PARCOURSDEMOTOTPSECRETKEYAAAAAAA"  # noqa: S105
DEMO_OPERATOR_TOTP_SECRET = "PARCOURSDEMOGESTIONNAIRETOTPAAAA"  # noqa: S105


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

PRO = {"registration_kind": RegistrationKind.PROFESSIONNEL}
# The organisations' people (issue 5); `key` ties each to its place in demo_organisations.
ORGANISATION_ACCOUNTS = {
    "gestionnaire": DemoAccount(
        "gestionnaire (opérateur Région de démonstration, toutes les demandes)",
        "anne.durand@example.org",
        "Anne",
        "Durand",
        {**PRO, "civility": Civility.MADAME},
        totp_secret=DEMO_OPERATOR_TOTP_SECRET,
    ),
    "employer_referent": DemoAccount(
        "employeur référent (Ateliers numériques de la Loire)",
        "sophie.lambert@example.org",
        "Sophie",
        "Lambert",
        {**PRO, "civility": Civility.MADAME},
    ),
    "employee": DemoAccount(
        "salarié bénéficiaire (Ateliers numériques de la Loire)",
        "thomas.roux@example.org",
        "Thomas",
        "Roux",
        {**PRO, "civility": Civility.MONSIEUR},
    ),
    "provider_referent": DemoAccount(
        "organisme de formation, référente (Campus numérique d'Anjou)",
        "claire.fontaine@example.org",
        "Claire",
        "Fontaine",
        {**PRO, "civility": Civility.MADAME},
    ),
    "trainer": DemoAccount(
        "formateur (Campus numérique d'Anjou)",
        "karim.benali@example.org",
        "Karim",
        "Benali",
        {**PRO, "civility": Civility.MONSIEUR},
    ),
    "lycee": DemoAccount(
        f"établissement scolaire, lycée d'accueil des mini-stages ({DEMO_LYCEE.name}, UAI {DEMO_LYCEE.uai})",
        DEMO_LYCEE.email,
        "Compte",
        "Lycée Marie Curie",
        {"registration_kind": RegistrationKind.SCHOOL},
    ),
    "college": DemoAccount(
        f"établissement scolaire, collège ({DEMO_COLLEGE.name}, UAI {DEMO_COLLEGE.uai})",
        DEMO_COLLEGE.email,
        "Compte",
        "Collège Jean Moulin",
        {"registration_kind": RegistrationKind.SCHOOL},
    ),
    "creation_requester": DemoAccount(
        "professionnel dont la demande de création attend un opérateur (SARL Formations du Golfe)",
        "paul.lefevre@example.org",
        "Paul",
        "Lefèvre",
        {**PRO, "civility": Civility.MONSIEUR},
    ),
}

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
        users = {}
        for account in [*ACCOUNTS, *ORGANISATION_ACCOUNTS.values()]:
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
            user = User.objects.get(email=account.email)
            users[account.email] = user
            if account.totp_secret:
                Authenticator.objects.filter(user=user).delete()
                totp_activate(user=user, secret=account.totp_secret)
        if legacy_account_reset(**LEGACY_ACCOUNT):
            created += 1
        else:
            updated += 1
        self._organisations({key: users[account.email] for key, account in ORGANISATION_ACCOUNTS.items()})
        self.stdout.write(f"demo users created={created} updated={updated}")
        self.stdout.write("")
        self.stdout.write("Comptes de démonstration :")
        for account in [*ACCOUNTS, *ORGANISATION_ACCOUNTS.values()]:
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
        self.stdout.write(
            "  demande d'accès en attente : Sophie Bernard (sophie.bernard@lycee-demo.test) auprès du "
            f"{DEMO_LYCEE.name} — à accepter avec le compte du lycée ci-dessus"
        )
        self.stdout.write(
            f"  session en cours : « {demo_running.TITLE} » — convention signée par l'organisme, à signer par "
            "l'employeur référent ; feuille d'émargement de ce matin ouverte (formateur) ; le salarié est convoqué"
        )
        self.stdout.write(
            f"  sessions terminées : « {demo_ended.TITLE} » — le salarié a un questionnaire de satisfaction à "
            "remplir ; un bilan attend le gestionnaire, un autre est accepté ; récapitulatif annuel (employeur "
            "référent) et statistiques (gestionnaire) remplis"
        )

    def _organisations(self, users: dict) -> None:
        demo_organisations.directory_load()
        operator = demo_organisations.operator_setup(users["gestionnaire"])
        employer = demo_organisations.employer_setup(users["employer_referent"], users["employee"])
        provider = demo_organisations.provider_setup(users["provider_referent"], users["trainer"])
        lycee = demo_organisations.school_setup(DEMO_LYCEE, users["lycee"])
        demo_organisations.school_setup(DEMO_COLLEGE, users["college"])
        demo_organisations.pending_creation_setup(users["creation_requester"])
        demo_organisations.pending_access_setup(lycee)
        self._catalog(operator, employer, provider, users)

    def _catalog(self, operator, employer, provider, users: dict) -> None:
        employees = []
        for email, first_name, last_name, *_ in demo_catalog.EMPLOYEES:
            user = User.objects.filter(email=email).first()
            identity = {"registration_kind": RegistrationKind.PROFESSIONNEL}
            if user is None:
                user = user_create_confirmed(
                    email=email, password=DEMO_PASSWORD, first_name=first_name, last_name=last_name, **identity
                )
            demo_organisations.employee_add(employer, user, "Salarié")
            employees.append(user)
        programme = demo_catalog.programme_setup(operator)
        sessions = demo_catalog.offer_setup(provider, programme, users["trainer"])
        demo_running.running_session_setup(
            operator=operator,
            employer=employer,
            provider=provider,
            provider_referent=users["provider_referent"],
            trainer=users["trainer"],
            trainees=[users["employee"], employees[1]],
            common=demo_catalog.action_defaults(provider),
        )
        demo_ended.ended_sessions_setup(
            programme=programme,
            employer=employer,
            employer_referent=users["employer_referent"],
            provider=provider,
            provider_referent=users["provider_referent"],
            trainer=users["trainer"],
            gestionnaire=users["gestionnaire"],
            salarie=users["employee"],
            employees=employees,
            common=demo_catalog.action_defaults(provider),
        )
        demo_catalog.enrollments_setup(
            sessions=sessions,
            programme=programme,
            employer=employer,
            provider=provider,
            salarie=users["employee"],
            referent=users["employer_referent"],
            employees=employees,
        )
