"""The site's URL map: each app brings its own."""

from django.contrib import admin
from django.urls import include, path

from paperfeed.api.main import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("digests/", include("paperfeed.digests.urls")),
    path("accounts/", include("paperfeed.accounts.urls")),
    path("", include("paperfeed.community.urls")),
    path("", include("paperfeed.recommend.urls")),
    path("", include("paperfeed.web.urls")),
]
