"""Admin pages for the catalogue: curators and operators browse and fix papers here."""

from django.contrib import admin

from paperfeed.catalogue import models


class AuthorshipInline(admin.TabularInline):
    model = models.Authorship
    raw_id_fields = ["author"]
    extra = 0


class VersionInline(admin.TabularInline):
    model = models.Version
    extra = 0


@admin.register(models.Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["arxiv_id", "title", "primary_category", "announced", "latest_version"]
    list_filter = ["primary_category", "announced"]
    search_fields = ["arxiv_id", "title"]
    date_hierarchy = "announced"
    raw_id_fields = ["categories"]
    inlines = [AuthorshipInline, VersionInline]
    list_select_related = ["primary_category"]
    show_full_result_count = False


@admin.register(models.Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "keyname", "forenames"]
    search_fields = ["name"]
    show_full_result_count = False


@admin.register(models.Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(models.HarvestState)
class HarvestStateAdmin(admin.ModelAdmin):
    list_display = ["source", "scope", "cursor", "complete_list_size", "records_seen", "finished"]
    readonly_fields = ["started_at", "updated_at"]
