from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "paperfeed.monitoring"
    label = "monitoring"
    verbose_name = "Monitoring: health, readiness, metrics, deployment checks"

    def ready(self) -> None:
        from paperfeed.monitoring import checks  # noqa: F401  (registers the deploy checks)
