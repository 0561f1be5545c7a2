from django.apps import AppConfig


class RecommendConfig(AppConfig):
    name = "paperfeed.recommend"
    label = "recommend"
    verbose_name = "Recommendations"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import pre_delete

        from paperfeed.recommend import panels
        from paperfeed.recommend.signals import forget_reader

        panels.register()

        pre_delete.connect(
            forget_reader, sender=get_user_model(), dispatch_uid="paperfeed.recommend.forget"
        )
