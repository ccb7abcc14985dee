from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.db import transaction
from django.urls import reverse

from parcours.accounts.enums import RegistrationKind
from parcours.accounts.mfa import mfa_required
from parcours.accounts.services.account import deletion_cancel
from parcours.accounts.services.legacy import legacy_password_chosen
from parcours.accounts.services.login import login_succeeded, password_changed
from parcours.audit.services import audit_record
from parcours.notifications.services import email_send_rendered


class AccountAdapter(DefaultAccountAdapter):
    """allauth keeps login and password reset; sign-ups are ours, and its emails go through our outbox."""

    def is_open_for_signup(self, request) -> bool:
        return False

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        message = self.render_mail(template_prefix, email, context)
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
        with transaction.atomic():
            email_send_rendered(
                to=email,
                subject=message.subject,
                body_text=message.body,
                body_html=html,
                category=template_prefix.rsplit("/", 1)[-1],
            )

    def get_login_stages(self) -> list[str]:
        return [*super().get_login_stages(), "parcours.accounts.stages.TermsStage"]

    def login(self, request, user) -> None:
        super().login(request, user)
        login_succeeded(user=user, request=request)
        if deletion_cancel(user=user, request=request):
            messages.info(request, "Vous vous êtes reconnecté : la suppression de votre compte est annulée.")

    def logout(self, request) -> None:
        user = request.user
        super().logout(request)
        if user.is_authenticated:
            audit_record(event_type="account.logout", actor=user, target=user, request=request)

    def set_password(self, user, password) -> None:
        super().set_password(user, password)
        request = getattr(self, "request", None) or context.request
        password_changed(user=user, request=request)
        # An imported account's first password comes through a link sent to its address: that proves it.
        legacy_password_chosen(user=user, request=request)

    def get_login_redirect_url(self, request) -> str:
        # Until organisations exist, a professional has nowhere else to land than the page saying so.
        if request.user.registration_kind == RegistrationKind.PROFESSIONNEL:
            return reverse("accounts:professional_home")
        return super().get_login_redirect_url(request)


class MfaAdapter(DefaultMFAAdapter):
    """A person who must use two-factor authentication cannot turn it off."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "cannot_delete_authenticator": (
            "Votre compte doit rester protégé par la double authentification : elle ne peut pas être désactivée."
        ),
    }

    def can_delete_authenticator(self, authenticator) -> bool:
        return not (authenticator.type == Authenticator.Type.TOTP and mfa_required(authenticator.user))
