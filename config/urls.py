from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("parcours.web.urls")),
    path("compte/", include("parcours.accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("dev/outbox/", include("parcours.notifications.urls")),
    path("admin/", admin.site.urls),
]

handler400 = "parcours.web.views.errors.bad_request"
handler403 = "parcours.web.views.errors.permission_denied"
handler404 = "parcours.web.views.errors.page_not_found"
handler500 = "parcours.web.views.errors.server_error"
