from django.urls import path

from parcours.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.outbox_list, name="outbox_list"),
    path("<uuid:public_id>/", views.outbox_detail, name="outbox_detail"),
    path("<uuid:public_id>/html/", views.outbox_html, name="outbox_html"),
]
