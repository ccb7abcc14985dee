from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    name = "parcours.workflows"
    label = "workflows"
    verbose_name = "Workflows"
