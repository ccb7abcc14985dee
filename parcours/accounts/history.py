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
}


def event_label(event_type: str) -> str:
    return EVENT_LABELS.get(event_type, event_type)
