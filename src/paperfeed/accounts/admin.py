from django.contrib import admin

from paperfeed.accounts.models import Profile


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "display_name", "affiliation", "email_verified_at", "banned"]
    list_filter = ["banned"]
    search_fields = ["user__email", "display_name", "affiliation"]
    raw_id_fields = ["user"]
