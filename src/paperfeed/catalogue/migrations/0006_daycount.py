"""Papers per announcement day, kept by triggers on the paper table (see
``DayCount``), filled from the papers already there."""

from django.db import migrations, models

FILL = (
    "INSERT INTO catalogue_daycount (day, papers) SELECT announced, COUNT(*)"
    " FROM catalogue_paper WHERE announced IS NOT NULL GROUP BY announced"
)

# SQLite: a trigger body has no IF, so each step says when it applies. A new day's row
# is made at 0 and then counted up, as an UPSERT inside a trigger is not portable.
SQLITE_UP = [
    "CREATE TRIGGER catalogue_daycount_insert AFTER INSERT ON catalogue_paper"
    " WHEN NEW.announced IS NOT NULL BEGIN"
    " INSERT OR IGNORE INTO catalogue_daycount (day, papers) VALUES (NEW.announced, 0);"
    " UPDATE catalogue_daycount SET papers = papers + 1 WHERE day = NEW.announced;"
    " END",
    "CREATE TRIGGER catalogue_daycount_delete AFTER DELETE ON catalogue_paper"
    " WHEN OLD.announced IS NOT NULL BEGIN"
    " UPDATE catalogue_daycount SET papers = papers - 1 WHERE day = OLD.announced;"
    " END",
    "CREATE TRIGGER catalogue_daycount_move AFTER UPDATE OF announced ON catalogue_paper"
    " WHEN OLD.announced IS NOT NEW.announced BEGIN"
    " UPDATE catalogue_daycount SET papers = papers - 1 WHERE day = OLD.announced;"
    " INSERT OR IGNORE INTO catalogue_daycount (day, papers)"
    " SELECT NEW.announced, 0 WHERE NEW.announced IS NOT NULL;"
    " UPDATE catalogue_daycount SET papers = papers + 1 WHERE day = NEW.announced;"
    " END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS catalogue_daycount_insert",
    "DROP TRIGGER IF EXISTS catalogue_daycount_delete",
    "DROP TRIGGER IF EXISTS catalogue_daycount_move",
]

# PostgreSQL: one row trigger function for all three; TRUNCATE fires no row triggers,
# so emptying the papers that way empties the counts too (as search's keyword rows),
# with a DELETE: Django's flush truncates both tables in one statement, and a TRUNCATE
# from the trigger would be refused there.
PG_UP = [
    "CREATE OR REPLACE FUNCTION catalogue_daycount_count() RETURNS trigger AS $$ BEGIN"
    " IF TG_OP IN ('DELETE', 'UPDATE') AND OLD.announced IS NOT NULL THEN"
    "  UPDATE catalogue_daycount SET papers = papers - 1 WHERE day = OLD.announced;"
    " END IF;"
    " IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.announced IS NOT NULL THEN"
    "  INSERT INTO catalogue_daycount (day, papers) VALUES (NEW.announced, 1)"
    "  ON CONFLICT (day) DO UPDATE SET papers = catalogue_daycount.papers + 1;"
    " END IF;"
    " RETURN NULL; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER catalogue_daycount_insert_delete AFTER INSERT OR DELETE"
    " ON catalogue_paper FOR EACH ROW EXECUTE FUNCTION catalogue_daycount_count()",
    "CREATE TRIGGER catalogue_daycount_move AFTER UPDATE OF announced ON catalogue_paper"
    " FOR EACH ROW WHEN (OLD.announced IS DISTINCT FROM NEW.announced)"
    " EXECUTE FUNCTION catalogue_daycount_count()",
    "CREATE OR REPLACE FUNCTION catalogue_daycount_truncate() RETURNS trigger AS $$"
    " BEGIN DELETE FROM catalogue_daycount; RETURN NULL; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER catalogue_daycount_truncate AFTER TRUNCATE ON catalogue_paper"
    " FOR EACH STATEMENT EXECUTE FUNCTION catalogue_daycount_truncate()",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS catalogue_daycount_insert_delete ON catalogue_paper",
    "DROP TRIGGER IF EXISTS catalogue_daycount_move ON catalogue_paper",
    "DROP TRIGGER IF EXISTS catalogue_daycount_truncate ON catalogue_paper",
    "DROP FUNCTION IF EXISTS catalogue_daycount_count()",
    "DROP FUNCTION IF EXISTS catalogue_daycount_truncate()",
]


def _run(by_vendor, fill=False):
    def run(apps, schema_editor):
        if fill:
            schema_editor.execute(FILL)
        for sql in by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0005_paper_announced_modified")]

    operations = [
        migrations.CreateModel(
            name="DayCount",
            fields=[
                ("day", models.DateField(primary_key=True, serialize=False)),
                ("papers", models.IntegerField(default=0)),
            ],
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}, fill=True),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
