from django.urls import path

from parcours.notifications import views_centre

app_name = "notification_centre"
urlpatterns = [
    path("", views_centre.notification_list, name="list"),
    path("tout-marquer-comme-lu/", views_centre.notifications_read_all, name="read_all"),
    path("preferences/", views_centre.email_preferences, name="preferences"),
    path("<uuid:public_id>/ouvrir/", views_centre.notification_open, name="open"),
]
