from django.apps import AppConfig


class ServiceConfig(AppConfig):
    name = "paperfeed.service"
    label = "service"
    verbose_name = "Service: processes and schedule"
