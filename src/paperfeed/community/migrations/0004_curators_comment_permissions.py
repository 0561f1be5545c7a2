"""Curators see reader comments in the admin and hide or unhide them there (the
"change" permission lets them run the admin's hide and unhide actions)."""

from importlib import import_module

from django.db import migrations

PERMISSIONS = [("community", "view_comment"), ("community", "change_comment")]


def grant(apps, schema_editor):
    import_module("paperfeed.community.migrations.0002_curators_group").grant(apps, PERMISSIONS)


def revoke(apps, schema_editor):
    group = apps.get_model("auth", "Group").objects.filter(name="curators").first()
    if group is not None:
        group.permissions.remove(
            *group.permissions.filter(
                content_type__app_label="community", codename__in=[c for _, c in PERMISSIONS]
            )
        )


class Migration(migrations.Migration):
    dependencies = [("community", "0003_comment")]

    operations = [migrations.RunPython(grant, revoke)]
