"""PostgreSQL: emptying the paper table with TRUNCATE (as Django's flush and a test
database's reset do) empties the keyword rows too. The row trigger of migration 0001
deletes a paper's keyword row with the paper, but TRUNCATE fires no row triggers, and
keyword reads rely on every row's paper existing (they do not join the paper table
unless a date filter needs it). SQLite has no TRUNCATE: nothing to do."""

from django.db import migrations

UP = [
    "CREATE OR REPLACE FUNCTION search_paperfts_truncate() RETURNS trigger AS $$"
    " BEGIN TRUNCATE search_paperfts; RETURN NULL; END; $$ LANGUAGE plpgsql",
    "DROP TRIGGER IF EXISTS search_paperfts_truncate ON catalogue_paper",
    "CREATE TRIGGER search_paperfts_truncate AFTER TRUNCATE ON catalogue_paper"
    " FOR EACH STATEMENT EXECUTE FUNCTION search_paperfts_truncate()",
]
DOWN = [
    "DROP TRIGGER IF EXISTS search_paperfts_truncate ON catalogue_paper",
    "DROP FUNCTION IF EXISTS search_paperfts_truncate()",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0003_category_terms")]

    operations = [migrations.RunPython(_run(UP), _run(DOWN))]
