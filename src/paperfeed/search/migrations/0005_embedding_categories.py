"""Embedding rows gain their papers' categories and archives (``["cs", "cs.CL"]``,
``PaperEmbedding.categories``), so a category filter on a vector search is tested on
the row itself and a big category can have an HNSW index of its own rows on
PostgreSQL (``backends.postgres``). Rows written before this get them here.

PostgreSQL: the HNSW index is dropped first and built again once the UPDATE has
committed: each row written anew would otherwise be inserted into it one by one (at a
million papers the UPDATE takes about a minute and the build half an hour; inserting
row by row is slower). Interrupted, it is run again: rows already filled are left
alone, and a missing index is built (the indexing task would build it too). The categories'
own indexes are built afterwards by ``paperfeed reindex --missing`` or the next
embedding task. SQLite: one UPDATE."""

from django.db import migrations, models

HNSW = (
    "CREATE INDEX search_embedding_hnsw ON search_paperembedding"
    " USING hnsw (pgvector vector_cosine_ops) WITH (m = 24, ef_construction = 128)"
)

POSTGRESQL = """
UPDATE search_paperembedding e SET categories = t.codes
FROM (
    SELECT paper_id, jsonb_agg(code ORDER BY code COLLATE "C") AS codes FROM (
        SELECT paper_id, category_id AS code FROM catalogue_paper_categories
        UNION
        SELECT paper_id, split_part(category_id, '.', 1) FROM catalogue_paper_categories
    ) c GROUP BY paper_id
) t
WHERE t.paper_id = e.paper_id AND e.categories IS DISTINCT FROM t.codes
"""

# Rows still to fill: the column starts as [] on every row.
UNFILLED = """
SELECT EXISTS (
    SELECT 1 FROM search_paperembedding e JOIN catalogue_paper_categories c USING (paper_id)
    WHERE e.categories = '[]'::jsonb
)
"""

SQLITE = """
UPDATE search_paperembedding SET categories = (
    SELECT json_group_array(code) FROM (
        SELECT category_id AS code FROM catalogue_paper_categories
        WHERE paper_id = search_paperembedding.paper_id
        UNION
        SELECT substr(category_id, 1, instr(category_id || '.', '.') - 1)
        FROM catalogue_paper_categories WHERE paper_id = search_paperembedding.paper_id
        ORDER BY code
    )
)
"""


def fill(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(SQLITE)
            return
        cursor.execute(UNFILLED)
        if cursor.fetchone()[0]:
            cursor.execute("DROP INDEX IF EXISTS search_embedding_hnsw")
            cursor.execute(POSTGRESQL)
        # Built after the UPDATE has committed (the migration is not atomic): inside its
        # transaction the rows' old versions would be indexed too, twice the work.
        cursor.execute("SELECT to_regclass('search_embedding_hnsw')")
        missing = cursor.fetchone()[0] is None
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM search_paperembedding WHERE pgvector IS NOT NULL)"
        )
        if missing and cursor.fetchone()[0]:
            # CREATE INDEX refuses while deferred foreign key checks of a transaction's
            # earlier writes are pending (inside a test's): run them now.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(HNSW)
        cursor.execute("ANALYZE search_paperembedding")


class Migration(migrations.Migration):
    atomic = False  # see fill(): the UPDATE commits before the index is built

    dependencies = [
        ("search", "0004_truncate_trigger"),
        ("catalogue", "__first__"),
    ]

    operations = [
        migrations.AddField(
            model_name="paperembedding",
            name="categories",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=False),
    ]
