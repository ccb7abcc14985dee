"""How a person reads their own history: French labels for the audit event types."""

EVENT_LABELS = {
    "account.created": "Création du compte",
    "account.login": "Connexion",
    "account.login_failed": "Échec de connexion",
    "account.logout": "Déconnexion",
    "account.password_changed": "Changement de mot de passe",
    "account.terms_accepted": "Acceptation des conditions générales d'utilisation",
    "account.profile_updated": "Modification des informations personnelles",
    "account.email_change_requested": "Demande de changement d'adresse électronique",
    "account.email_changed": "Changement d'adresse électronique",
    "account.sessions_ended": "Fin des autres sessions",
    "account.data_exported": "Téléchargement de mes données",
    "account.deletion_requested": "Demande de suppression du compte",
    "account.deletion_cancelled": "Annulation de la suppression du compte",
    "account.imported": "Reprise du compte depuis un ancien outil",
    "account.legacy_email_verified": "Adresse électronique vérifiée par le lien reçu",
    "account.mfa_enabled": "Activation de la double authentification",
    "account.mfa_disabled": "Désactivation de la double authentification",
    "account.recovery_codes_generated": "Nouveaux codes de secours",
    "account.recovery_code_used": "Connexion avec un code de secours",
    "account.mfa_failed": "Code de vérification incorrect",
    "account.identity_reviewed": "Vérification de l'identité d'un compte",
    "account.anonymised": "Anonymisation du compte",
    # Organisations (the person's own actions in them).
    "organisations.creation_requested": "Demande de création d'une structure",
    "organisations.join_requested": "Demande de rattachement à une structure",
    "organisations.change_requested": "Demande de modification des données d'une structure",
    "organisations.access_requested": "Demande d'accès au compte d'un établissement",
    "organisations.access_escalated": "Demande d'accès transmise aux opérateurs",
    "organisations.request_accepted": "Demande acceptée",
    "organisations.request_refused": "Demande refusée",
    "organisations.request_cancelled": "Demande retirée",
    "organisations.member_removed": "Retrait d'un membre d'une structure",
    "organisations.member_left": "Départ d'une structure",
    "organisations.member_role_changed": "Changement du rôle d'un membre",
    "organisations.referent_handed_over": "Passation du rôle de référent",
    "organisations.last_referent_leaving": "Départ du dernier référent signalé aux opérateurs",
    "organisations.school_registered": "Inscription d'un établissement scolaire",
    "organisations.legacy_claims": "Rattachement demandé depuis un compte repris",
    "organisations.operator_created": "Création d'un opérateur",
    "organisations.operator_staff_invited": "Invitation d'un gestionnaire",
}


def event_label(event_type: str) -> str:
    return EVENT_LABELS.get(event_type, event_type)
