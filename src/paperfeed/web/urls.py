"""The site's pages and Atom feeds (namespace ``web``)."""

from django.urls import path, re_path, register_converter

from paperfeed.web import (
    categories,
    daily,
    feeds,
    for_you,
    papers,
    people,
    search,
    trending,
    votes,
)
from paperfeed.web.converters import ArxivIdConverter, CategoryConverter

register_converter(ArxivIdConverter, "arxiv")
register_converter(CategoryConverter, "category")

app_name = "web"
urlpatterns = [
    path("", daily.daily, name="feed"),
    path("trending", trending.trending, name="trending"),
    path("for-you", for_you.for_you, name="for-you"),
    path("papers/<path:arxiv_id>/vote", votes.vote, name="vote"),
    path("papers/<arxiv:arxiv_id>", papers.paper_detail, name="paper"),
    path("categories", categories.category_index, name="categories"),
    path("categories/<category:code>", categories.category_detail, name="category"),
    path("authors/<int:pk>", people.author_detail, name="author-id"),
    re_path(r"^authors/(?P<pk>[0-9]+)-(?P<slug>[-\w]+)$", people.author_detail, name="author"),
    path("search", search.search, name="search"),
    path("feeds/daily.atom", feeds.daily_feed, name="feed-daily"),
    path("feeds/trending.atom", feeds.trending_feed, name="feed-trending"),
    path("feeds/categories/<category:code>.atom", feeds.category_feed, name="feed-category"),
]
