from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "paperfeed.catalogue"
    label = "catalogue"
    verbose_name = "Catalogue"
