"""Trending stores nothing of its own: its rows became community's ``PaperState``
(community 0005 took over the table); only the model state is dropped here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("trending", "0002_ranking_indexes"),
        ("community", "0005_paper_state"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="TrendingScore")],
            database_operations=[],
        ),
    ]
