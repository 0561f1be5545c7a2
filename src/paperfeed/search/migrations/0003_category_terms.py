"""PostgreSQL keyword rows gain their papers' categories as lexemes ("#cs.CL", "#cs"),
so a category filter is matched inside the GIN index
(``paperfeed.search.backends.postgres.category_terms``). Rows written before this
get them here, in one UPDATE with the GIN index dropped and built again after (writing
every row through the index would update it a hundred lexemes a row; 4.9 minutes at
a million papers). SQLite: nothing to do (its keyword rows keep to words; filters
join the paper's categories)."""

from django.db import migrations

ADD_TERMS = """
UPDATE search_paperfts f SET document = f.document || t.terms
FROM (
    SELECT paper_id, array_to_tsvector(array_agg(DISTINCT term)) AS terms FROM (
        SELECT paper_id, '#' || category_id AS term FROM catalogue_paper_categories
        UNION ALL
        SELECT paper_id, '#' || split_part(category_id, '.', 1) FROM catalogue_paper_categories
    ) c GROUP BY paper_id
) t
WHERE t.paper_id = f.paper_id
"""


def add_terms(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS search_paperfts_document")
            cursor.execute(ADD_TERMS)
            cursor.execute(
                "CREATE INDEX search_paperfts_document ON search_paperfts USING gin (document)"
            )
            # The planner's lexeme statistics, for the new lexemes' shares.
            cursor.execute("ANALYZE search_paperfts")


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_text_hash"),
        ("catalogue", "__first__"),
    ]

    # Lexemes added twice are one lexeme: running it again changes nothing.
    operations = [migrations.RunPython(add_terms, migrations.RunPython.noop, elidable=False)]
