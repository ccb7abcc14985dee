from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse


@login_not_required
def bad_request(request, exception=None):
    return HttpResponse(status=400)


@login_not_required
def permission_denied(request, exception=None):
    return HttpResponse(status=403)


@login_not_required
def page_not_found(request, exception=None):
    return HttpResponse(status=404)


@login_not_required
def server_error(request):
    return HttpResponse(status=500)


@login_not_required
def csrf_failure(request, reason=""):
    return HttpResponse(status=403)
