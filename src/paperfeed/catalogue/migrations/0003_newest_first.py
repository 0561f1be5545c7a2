from django.db import migrations, models


def _postgres_newest_first_index(apps, schema_editor):
    """The list order (announced DESC NULLS LAST, arxiv_id DESC) as an index, on
    PostgreSQL only: SQLite cannot declare NULLS LAST in an index and needs none,
    its "-announced" index already sorts NULLs last."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS paper_newest_first ON catalogue_paper "
            "(announced DESC NULLS LAST, arxiv_id DESC)"
        )


def _drop_postgres_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS paper_newest_first")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_text_fields"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="paper",
            options={
                "ordering": (
                    models.OrderBy(models.F("announced"), descending=True, nulls_last=True),
                    models.OrderBy(models.F("arxiv_id"), descending=True),
                )
            },
        ),
        migrations.RunPython(_postgres_newest_first_index, _drop_postgres_index),
    ]
