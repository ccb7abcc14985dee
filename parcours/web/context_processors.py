from django.conf import settings


def site(request) -> dict:
    return {"service_name": settings.PARCOURS_SERVICE_NAME}
