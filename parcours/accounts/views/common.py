from django.contrib import messages
from django.shortcuts import redirect
from django.utils.cache import add_never_cache_headers

from parcours.accounts.services.registration import SignupRateLimited


def no_store(response):
    """Pages that show typed identity data (a NIR) must not be kept by the browser or a proxy."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, private"
    return response


def minutes_text(minutes: int) -> str:
    return f"{minutes} minute{'s' if minutes > 1 else ''}"


def rate_limited_message(form, error: SignupRateLimited) -> None:
    form.add_error(
        None,
        "Trop de demandes d'inscription depuis votre connexion ou pour cette adresse. "
        f"Réessayez dans {minutes_text(error.retry_after_minutes)}.",
    )


def restart(request, url_name: str, message: str):
    messages.info(request, message)
    return redirect(url_name)
