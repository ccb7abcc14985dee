from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "parcours.documents"
    label = "documents"
    verbose_name = "Documents"
