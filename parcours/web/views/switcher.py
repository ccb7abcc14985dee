import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from parcours.organisations.current import organisation_switch
from parcours.organisations.models import Organisation


@require_POST
def switch_organisation(request):
    try:
        public_id = uuid.UUID(request.POST.get("organisation", ""))
    except ValueError as error:
        raise Http404 from error
    organisation = Organisation.objects.filter(public_id=public_id).first()
    # Not a member: the same answer as an unknown id.
    if organisation is None or not organisation_switch(request, organisation):
        raise Http404
    messages.info(request, f"Vous consultez maintenant l'espace de {organisation.name}.")
    next_url = request.POST.get("next", "")
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(next_url if safe else "organisations:home")
