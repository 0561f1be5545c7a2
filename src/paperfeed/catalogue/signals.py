"""Sent after an ingest batch commits, so indexing can follow the catalogue
without the catalogue knowing about it."""

from django.dispatch import Signal

# sender: the ingest function; paper_ids: list[int] of created or changed papers
papers_changed = Signal()
