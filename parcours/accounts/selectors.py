from django.conf import settings

from parcours.accounts.models import Registration, TermsAcceptance, User


def user_has_accepted_current_terms(*, user: User) -> bool:
    return TermsAcceptance.objects.filter(user=user, version=settings.PARCOURS_CGU_VERSION).exists()


def registration_get(*, public_id: str | None, kind: str | None = None) -> Registration | None:
    if not public_id:
        return None
    registrations = Registration.objects.filter(public_id=public_id)
    if kind:
        registrations = registrations.filter(kind=kind)
    return registrations.first()
