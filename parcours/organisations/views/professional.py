from django.http import Http404


def home(request):
    raise Http404  # placeholder until the professional journeys land


def requests(request, public_id):
    raise Http404
