"""Only http(s) links from imported data reach an href: ingest refuses other schemes as
bad input naming the line, arXiv links are built from the id, and the pages, cards
and digest emails check again for rows stored before the rule."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from paperfeed.catalogue.ingest import Ingestor
from paperfeed.catalogue.models import Paper
from paperfeed.sources.records import PaperRecord
from paperfeed.sources.weblinks import is_http_url, safe_href

pytestmark = pytest.mark.django_db

HOSTILE = ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)",
           "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>",
           "vbscript:msgbox(1)", "//evil.example/x", "/relative", "https://"]  # fmt: skip


def record(**links) -> dict:  # type: ignore[no-untyped-def]
    base = PaperRecord(arxiv_id="2503.11677", title="A paper").to_json()
    return {**base, **links}


@pytest.mark.parametrize("bad", HOSTILE)
def test_links_other_than_http_are_not_urls(bad):
    assert not is_http_url(bad) and safe_href(bad) == ""
    assert is_http_url("https://arxiv.org/abs/2503.11677") and is_http_url("http://x.org/a")


@pytest.mark.parametrize("field", ["abs_url", "pdf_url", "license"])
def test_import_reports_a_javascript_link_naming_the_line(tmp_path, field):
    path = tmp_path / "hostile.jsonl"
    good = record()
    bad = {**record(**{field: "javascript:alert(document.cookie)"}), "arxiv_id": "2503.11678"}
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(CommandError):
        call_command("import", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    err = io.StringIO()
    call_command("import", str(path), "--on-error", "skip", stdout=io.StringIO(), stderr=err)
    assert f"{path}:2" in err.getvalue() and field in err.getvalue()
    assert list(Paper.objects.values_list("arxiv_id", flat=True)) == ["2503.11677"]


def test_links_off_arxiv_are_rebuilt_from_the_id():
    rec = PaperRecord.from_json(
        record(abs_url="https://evil.example/abs", pdf_url="http://arxiv.org/pdf/2503.11677v2")
    )
    assert rec.abs_url == "https://arxiv.org/abs/2503.11677"
    assert rec.pdf_url == "http://arxiv.org/pdf/2503.11677v2"  # arXiv's own, kept


def test_pages_and_cards_drop_stored_javascript_links(client):
    Ingestor().ingest([PaperRecord(arxiv_id="2503.11677", title="A paper")])
    Paper.objects.update(
        abs_url="javascript:alert(1)", pdf_url="javascript:alert(2)", license="javascript:x()"
    )
    for url in ("/papers/2503.11677", "/search?q=paper&mode=keyword"):
        html = client.get(url).content.decode()
        assert "javascript:" not in html.replace("javascript:x()</dd>", ""), url
    # a later import of the paper still works (the stored links are not taken as input)
    result = Ingestor().ingest([PaperRecord(arxiv_id="2503.11677v2", title="A paper v2")])
    assert result.updated == 1 and Paper.objects.get().title == "A paper v2"
