from allauth.account.stages import LoginStage
from allauth.core.internal.httpkit import headed_redirect_response

from parcours.accounts.selectors import user_has_accepted_current_terms


class TermsStage(LoginStage):
    """A new CGU version is accepted at the next login, before the session opens."""

    key = "parcours_terms"
    urlname = "accounts:terms_accept"

    def handle(self):
        if user_has_accepted_current_terms(user=self.login.user):
            return None, True
        # A response with "continue": allauth stashes the login until the terms view calls exit().
        return headed_redirect_response(self.urlname), True
