"""PostgreSQL keyword rows gain the block of ids their paper falls in as a lexeme
("@61": ids 999,424 to 1,015,807), so a newest-first read asks the GIN index for a
word's rows in the newest blocks only (``paperfeed.search.backends.postgres``,
``BLOCK_BITS``). Rows written before get it here, in one UPDATE with the GIN index
dropped and built again after, as migration 0003 added the categories. SQLite: nothing
to do (FTS5 walks a word's rows newest first by itself)."""

from django.db import migrations

# backends.postgres.BLOCK_BITS when this migration was written.
BLOCK_BITS = 14

ADD_BLOCKS = f"""
UPDATE search_paperfts SET document = document
    || array_to_tsvector(ARRAY['@' || (paper_id >> {BLOCK_BITS})::text])
"""


def add_blocks(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_paperfts_document")
            cursor.execute(ADD_BLOCKS)
            cursor.execute(
                "CREATE INDEX search_paperfts_document ON search_paperfts USING gin (document)"
            )
            cursor.execute("ANALYZE search_paperfts")


class Migration(migrations.Migration):
    dependencies = [("search", "0005_embedding_categories")]

    # A lexeme added twice is one lexeme: running it again changes nothing.
    operations = [migrations.RunPython(add_blocks, migrations.RunPython.noop, elidable=False)]
