from django.db import migrations, models

# Running tasks are counted (``paperfeed.service.queue``) and scanned for dead workers
# (``paperfeed.service.leases``) through this partial index, so the table of finished
# results, which grows until pruned, is never read for them.
RUNNING_INDEX = (
    "CREATE INDEX IF NOT EXISTS service_task_running"
    " ON django_tasks_database_dbtaskresult (started_at) WHERE status = 'RUNNING'"
)


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0002_retry_after"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.CreateModel(
            name="TaskLease",
            fields=[
                ("task_id", models.UUIDField(primary_key=True, serialize=False)),
                ("worker_id", models.CharField(max_length=64)),
                ("taken_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.RunSQL(RUNNING_INDEX, "DROP INDEX IF EXISTS service_task_running"),
    ]
