from django.apps import AppConfig


class RateLimitConfig(AppConfig):
    name = "paperfeed.ratelimit"
    label = "ratelimit"
    verbose_name = "Rate limits"
