"""Digest subscription pages (namespace ``digests``)."""

from django.urls import path

from paperfeed.digests import preferences, subscribe

app_name = "digests"
urlpatterns = [
    path("subscribe", subscribe.subscribe, name="subscribe"),
    path("account", subscribe.account, name="account"),
    path("confirm/<str:token>", subscribe.confirm, name="confirm"),
    path("preferences/<str:token>", preferences.preferences, name="preferences"),
    path("unsubscribe/<str:token>", preferences.unsubscribe, name="unsubscribe"),
]
