from django.urls import path

from paperfeed.community import code, collections, comments, curation, submissions

app_name = "community"
urlpatterns = [
    path("papers/<path:arxiv_id>/save", collections.save_paper, name="save"),
    path("papers/<path:arxiv_id>/curate", curation.curate_paper, name="curate"),
    path("papers/<path:arxiv_id>/code", code.add_code_link, name="add-code"),
    path("papers/<path:arxiv_id>/comments", comments.post_comment, name="comment"),
    path("comments/<int:pk>/delete", comments.delete_comment, name="comment-delete"),
    path("comments/<int:pk>/curate", curation.curate_comment, name="comment-curate"),
    path("submit", submissions.submit_view, name="submit"),
    path("collections", collections.collection_list, name="collections"),
    path("collections/<int:pk>", collections.collection_detail, name="collection"),
    path("collections/<int:pk>/edit", collections.collection_edit, name="collection-edit"),
    path("collections/<int:pk>.atom", collections.collection_feed, name="collection-feed"),
    path("collections/<int:pk>.bib", collections.collection_bibtex, name="collection-bibtex"),
    path("curate/accounts", curation.curate_user, name="curate-user"),
    path("curate/log", curation.curation_log, name="curation-log"),
]
