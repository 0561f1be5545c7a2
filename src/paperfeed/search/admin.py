"""The search index in the admin: the embeddings list, headed by how complete the
keyword and vector indexes are and what the task queue holds (the figures of
``paperfeed stats``)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from paperfeed.search.models import PaperEmbedding
from paperfeed.search.status import index_stats, paper_count


@admin.register(PaperEmbedding)
class PaperEmbeddingAdmin(admin.ModelAdmin):
    list_display = ["paper", "model_name", "updated_at"]
    list_filter = ["model_name"]
    raw_id_fields = ["paper"]
    readonly_fields = ["paper", "model_name", "text_hash", "updated_at"]
    exclude = ["vector", "pgvector"]
    show_full_result_count = False
    list_select_related = ["paper"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # vectors come from the workers, never by hand

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        stats = index_stats()
        context = {**(extra_context or {}), "papers": paper_count(), **stats}
        return super().changelist_view(request, extra_context=context)
