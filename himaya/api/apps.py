from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "himaya.api"
    label = "api"
    verbose_name = "REST API v1"
