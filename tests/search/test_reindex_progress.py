"""``paperfeed reindex`` shows its progress (plain lines here: not a terminal) unless
``--quiet``."""

from io import StringIO

import pytest
from django.core.management import call_command

from paperfeed.search.models import PaperEmbedding

pytestmark = pytest.mark.django_db


def test_reindex_shows_progress_unless_quiet(corpus, settings):
    settings.PAPERFEED_PROGRESS_SECONDS = 0
    some = sorted(corpus.values())[-4:]
    PaperEmbedding.objects.filter(paper_id__in=some).delete()
    err = StringIO()
    call_command("reindex", "--missing", "--batch-size", "2", stderr=err, stdout=StringIO())
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("embed: 2/4 papers (50%), ") and lines[0].endswith(" left")
    assert lines[-1].startswith("embed: 4 papers, ") and " done in " in lines[-1]

    PaperEmbedding.objects.filter(paper_id__in=some).delete()
    err = StringIO()
    call_command("reindex", "--missing", "--quiet", stderr=err, stdout=StringIO())
    assert err.getvalue() == ""
    assert PaperEmbedding.objects.filter(paper_id__in=some).count() == 4
