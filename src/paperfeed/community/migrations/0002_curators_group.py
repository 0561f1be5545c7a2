"""The "curators" group, with admin permissions over the community's tables."""

from django.db import migrations

PERMISSIONS = [
    ("community", "view_vote"),
    ("community", "delete_vote"),
    ("community", "view_submission"),
    ("community", "delete_submission"),
    ("community", "view_feature"),
    ("community", "add_feature"),
    ("community", "view_curationlog"),
    ("community", "view_collection"),
    ("trending", "view_trendingscore"),
    ("codelinks", "view_coderepository"),
    ("codelinks", "change_coderepository"),
    ("codelinks", "view_codelink"),
    ("codelinks", "add_codelink"),
    ("codelinks", "delete_codelink"),
    ("catalogue", "view_paper"),
]


def grant(apps, permissions):
    """Give the "curators" group these permissions (creating the group and any
    permission rows not made yet: Django makes them after the last migration)."""
    from django.contrib.auth.management import create_permissions

    for config in apps.get_app_configs():
        config.models_module = True
        create_permissions(config, verbosity=0, apps=apps)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="curators")
    for app_label, codename in permissions:
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is not None:
            group.permissions.add(permission)


def create_group(apps, schema_editor):
    grant(apps, PERMISSIONS)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="curators").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("community", "0001_initial"),
        ("trending", "0001_initial"),
        ("codelinks", "0001_initial"),
        ("catalogue", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
