"""The per-paper community state moves from the trending app (``TrendingScore``) to
community (``PaperState``): the same rows, renamed table and indexes, no data copied."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0002_text_fields"),
        ("community", "0004_curators_comment_permissions"),
        ("trending", "0002_ranking_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="PaperState",
                    fields=[
                        (
                            "paper",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="community",
                                serialize=False,
                                to="catalogue.paper",
                            ),
                        ),
                        (
                            "day",
                            models.DateField(
                                blank=True,
                                help_text="the day the paper counts for: announced, or featured",
                                null=True,
                            ),
                        ),
                        (
                            "featured_on",
                            models.DateField(
                                blank=True, help_text="submitted or featured on", null=True
                            ),
                        ),
                        ("votes", models.PositiveIntegerField(default=0)),
                        (
                            "stars",
                            models.PositiveIntegerField(
                                default=0, help_text="latest star count of its code"
                            ),
                        ),
                        (
                            "stars_gained",
                            models.IntegerField(
                                default=0, help_text="stars gained over the last 7 days"
                            ),
                        ),
                        (
                            "points",
                            models.FloatField(
                                default=0.0, help_text="votes + stars_gained / STARS_PER_VOTE"
                            ),
                        ),
                        (
                            "hidden",
                            models.BooleanField(default=False, help_text="hidden by a curator"),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, db_index=True)),
                    ],
                    options={
                        "db_table": "trending_trendingscore",
                        "indexes": [
                            models.Index(
                                fields=["day", "points", "hidden", "featured_on", "paper"],
                                name="trending_window",
                            ),
                            models.Index(fields=["featured_on"], name="trending_featured_on"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="PaperState", table=None),
        migrations.RenameIndex(
            model_name="paperstate", new_name="paper_state_window", old_name="trending_window"
        ),
        migrations.RenameIndex(
            model_name="paperstate",
            new_name="paper_state_featured_on",
            old_name="trending_featured_on",
        ),
    ]
