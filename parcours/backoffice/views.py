from django.http import Http404


def request_detail(request, public_id):
    raise Http404  # placeholder until the operators' queues land
