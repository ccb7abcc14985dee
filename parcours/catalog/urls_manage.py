app_name = "catalog_manage"

urlpatterns: list = []
