from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "parcours.notifications"
    label = "notifications"
    verbose_name = "Notifications"
