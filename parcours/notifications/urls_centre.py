app_name = "notification_centre"

urlpatterns: list = []
