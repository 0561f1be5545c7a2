from django.db import migrations


def _fill_names(apps, schema_editor):
    """Name the categories stored before the taxonomy knew them (physics.med-ph, ...):
    a name is set only at a category's first ingest."""
    from paperfeed.catalogue.taxonomy import NAMES

    Category = apps.get_model("catalogue", "Category")
    for category in Category.objects.filter(name=""):
        if category.code in NAMES:
            category.name = NAMES[category.code]
            category.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0003_newest_first")]

    operations = [migrations.RunPython(_fill_names, migrations.RunPython.noop)]
