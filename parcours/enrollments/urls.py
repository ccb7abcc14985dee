app_name = "enrollments"

urlpatterns: list = []
