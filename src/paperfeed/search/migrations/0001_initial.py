import django.db.models.deletion
import pgvector.django
from django.db import migrations, models

SQLITE_UP = [
    # rowid = catalogue_paper.id; porter stemming; the text is kept for snippets.
    "CREATE VIRTUAL TABLE IF NOT EXISTS paper_fts USING fts5("
    "title, abstract, authors, tokenize = 'porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER IF NOT EXISTS paper_fts_delete AFTER DELETE ON catalogue_paper "
    "BEGIN DELETE FROM paper_fts WHERE rowid = old.id; END",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS paper_fts_delete", "DROP TABLE IF EXISTS paper_fts"]

# No foreign key: Django does not manage this table, so its flush (TRUNCATE of the
# tables it knows) would be refused by a reference to catalogue_paper. A trigger
# removes a paper's row instead, as on SQLite; searches join on catalogue_paper.
PG_UP = [
    "CREATE TABLE IF NOT EXISTS search_paperfts ("
    " paper_id bigint PRIMARY KEY,"
    " document tsvector NOT NULL)",
    "CREATE INDEX IF NOT EXISTS search_paperfts_document ON search_paperfts USING gin (document)",
    "CREATE OR REPLACE FUNCTION search_paperfts_forget() RETURNS trigger AS $$"
    " BEGIN DELETE FROM search_paperfts WHERE paper_id = OLD.id; RETURN OLD; END;"
    " $$ LANGUAGE plpgsql",
    "CREATE TRIGGER search_paperfts_forget AFTER DELETE ON catalogue_paper"
    " FOR EACH ROW EXECUTE FUNCTION search_paperfts_forget()",
]
# pgvector's HNSW index is not made here: the PostgreSQL search backend creates it
# when vectors are first written with pgvector on (paperfeed.search.backends.postgres).
PG_DOWN = [
    "DROP TRIGGER IF EXISTS search_paperfts_forget ON catalogue_paper",
    "DROP FUNCTION IF EXISTS search_paperfts_forget()",
    "DROP INDEX IF EXISTS search_embedding_hnsw",
    "DROP TABLE IF EXISTS search_paperfts",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


def create_extension(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS vector")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalogue", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(create_extension, migrations.RunPython.noop),
        migrations.CreateModel(
            name="PaperEmbedding",
            fields=[
                (
                    "paper",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="embedding",
                        serialize=False,
                        to="catalogue.paper",
                    ),
                ),
                ("model_name", models.CharField(db_index=True, max_length=64)),
                ("vector", models.BinaryField()),
                (
                    "pgvector",
                    pgvector.django.VectorField(blank=True, dimensions=384, null=True),
                ),
                ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["model_name", "paper"], name="embedding_model_paper")
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
