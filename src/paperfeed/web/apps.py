from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "paperfeed.web"
    label = "web"
    verbose_name = "paperfeed website"
