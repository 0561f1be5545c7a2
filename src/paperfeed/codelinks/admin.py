from django.contrib import admin

from paperfeed.codelinks.models import CodeLink, CodeRepository, StarSnapshot


@admin.register(CodeRepository)
class CodeRepositoryAdmin(admin.ModelAdmin):
    list_display = ["full_name", "host", "stars", "checked_at", "missing"]
    list_filter = ["host", "missing"]
    search_fields = ["full_name", "url"]


@admin.register(CodeLink)
class CodeLinkAdmin(admin.ModelAdmin):
    list_display = ["paper", "repository", "source", "added_by", "created_at"]
    list_filter = ["source"]
    raw_id_fields = ["paper", "repository", "added_by"]
    search_fields = ["paper__arxiv_id", "repository__full_name"]


@admin.register(StarSnapshot)
class StarSnapshotAdmin(admin.ModelAdmin):
    list_display = ["repository", "day", "stars"]
    raw_id_fields = ["repository"]
