from django.urls import path

from paperfeed.recommend import feed, views

app_name = "recommend"
urlpatterns = [
    path("papers/<path:arxiv_id>/signal", views.paper_signal, name="signal"),
    path("authors/<int:pk>/follow", views.follow_author, name="follow-author"),
    path("categories/<str:code>/follow", views.follow_category, name="follow-category"),
    path("for-you/start", views.start, name="start"),
    path("for-you/claim", views.claim, name="claim"),
    path("for-you/profile", views.profile_page, name="profile"),
    path("for-you/profile.json", views.profile_export, name="export"),
    path("for-you/forget", views.forget, name="forget"),
    path("for-you/tokens/<str:purpose>", views.token, name="token"),
    path("feeds/for-you/<str:token>.atom", feed.personal_feed, name="feed"),
]
