"""Signals that let other apps follow the catalogue without the catalogue knowing
about them.

``papers_written`` is sent inside an ingest batch's transaction, once its papers and
their authors, categories and versions are written: receivers write rows that must
commit (or roll back) with the papers, such as search's keyword rows, and must not
be slow or talk to anything outside the database. ``papers_changed`` is sent after
the batch commits, for work that can wait (background tasks, caches).
"""

from django.dispatch import Signal

# sender: Ingestor; records: list[tuple[int, PaperRecord]], each paper's id and its
# merged record as just written (created or changed papers only).
papers_written = Signal()

# sender: Ingestor; paper_ids: list[int] of created or changed papers
papers_changed = Signal()

# Sent by ``paperfeed stats`` (and the admin's overview); each receiver returns a dict
# of sections merged into the report (search adds ``index`` and ``tasks``).
collect_stats = Signal()
