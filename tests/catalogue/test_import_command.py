"""``paperfeed import`` / ``export`` / ``stats`` on real files, and on broken ones."""

import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command

from paperfeed.catalogue.ingest import load_records
from paperfeed.catalogue.models import Paper
from tests.support.paths import LISTINGS, SNAPSHOT

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def listing_lines(n):
    with gzip.open(LISTINGS, "rt", encoding="utf-8") as f:
        return [next(f) for _ in range(n)]


@pytest.fixture
def slice_file(tmp_path):
    path = tmp_path / "slice.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(listing_lines(500))
    return path


def test_import_gzipped_listings_then_again_adds_nothing(slice_file):
    out, _ = run("import", str(slice_file), "--batch-size", "100")
    assert "500 created, 0 updated, 0 unchanged" in out
    out, _ = run("import", str(slice_file))
    assert "0 created, 0 updated, 500 unchanged" in out
    assert Paper.objects.count() == 500


def test_stats_json(slice_file):
    run("import", str(slice_file), str(SNAPSHOT))
    out, _ = run("stats", "--json")
    stats = json.loads(out)
    assert list(stats)[0] == "papers"
    assert stats["papers"] == 700
    assert stats["versions"] > 200  # the snapshot's papers have one or more versions each
    assert sum(stats["by_primary_category"].values()) == 700
    first_day = json.loads(listing_lines(1)[0])["listing_date"]
    assert stats["by_listing_date"][first_day] > 0


def test_export_then_import_is_lossless(tmp_path, slice_file):
    run("import", str(slice_file), str(SNAPSHOT))
    exported = tmp_path / "export.jsonl.gz"
    run("export", "-o", str(exported))
    before = {
        k: r for k, (_, r) in load_records(Paper.objects.values_list("arxiv_id", flat=True)).items()
    }
    Paper.objects.all().delete()
    out, _ = run("import", str(exported))
    assert "700 created" in out
    after = {
        k: r for k, (_, r) in load_records(Paper.objects.values_list("arxiv_id", flat=True)).items()
    }
    assert after == before
    assert after["0704.0001"].versions[1].number == 2


def write_lines(tmp_path, lines, name="bad.jsonl"):
    path = tmp_path / name
    path.write_text("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    return path


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ('{"id": "2501.0000', "invalid JSON"),
        ("[1, 2, 3]", "expected a JSON object, got list"),
        ('{"title": "no id"}', "missing 'id'"),
        ('{"id": "2501.00001", "title": ""}', "missing 'title' (id 2501.00001)"),
        ('{"id": "not-an-id", "title": "x"}', "not an arXiv id: 'not-an-id'"),
    ],
)
def test_bad_line_stops_before_its_batch_and_names_file_and_line(tmp_path, bad_line, message):
    good = listing_lines(5)
    path = write_lines(tmp_path, good[:2] + [bad_line] + good[2:])
    with pytest.raises(CommandError) as error:
        run("import", str(path), "--batch-size", "2")
    assert f"{path}:3: {message}" in str(error.value)
    # the first batch (lines 1-2) was written whole; the bad batch was not
    assert Paper.objects.count() == 2


def test_skip_reports_and_goes_on(tmp_path):
    good = listing_lines(4)
    path = write_lines(tmp_path, [good[0], "[]", good[1], '{"title": "x"}', *good[2:]])
    out, err = run("import", str(path), "--on-error", "skip")
    assert f"skipped {path}:2: expected a JSON object" in err
    assert f"skipped {path}:4: missing 'id'" in err
    assert "4 created" in out and "2 skipped" in out
    assert Paper.objects.count() == 4


def test_truncated_gzip_stops_and_keeps_what_was_stored(tmp_path, slice_file):
    data = slice_file.read_bytes()
    truncated = tmp_path / "truncated.jsonl.gz"
    truncated.write_bytes(data[: len(data) // 2])
    run("import", str(SNAPSHOT))
    with pytest.raises(CommandError) as error:
        run("import", str(truncated), "--batch-size", "100")
    assert str(truncated) in str(error.value)
    assert "cannot read on" in str(error.value)
    stored = Paper.objects.count()
    assert 200 <= stored < 700  # the snapshot, plus whole batches before the break
    assert (stored - 200) % 100 == 0
    # skip mode keeps the records read before the break
    out, err = run("import", str(truncated), "--batch-size", "100", "--on-error", "skip")
    assert "cannot read on" in err
    assert Paper.objects.count() > stored


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("import", str(tmp_path / "nope.jsonl"))


def test_existing_paper_is_not_damaged_by_a_failed_import(tmp_path):
    run("import", str(SNAPSHOT))
    before = load_records(["0704.0001"])["0704.0001"][1]
    line = json.loads(SNAPSHOT.read_text().splitlines()[0])
    line["title"] = "Changed title"
    line["versions"].append({"version": "v3", "created": "Mon, 1 Jan 2024 00:00:00 GMT"})
    path = write_lines(tmp_path, [json.dumps(line), "not json"])
    with pytest.raises(CommandError):
        run("import", str(path))
    assert load_records(["0704.0001"])["0704.0001"][1] == before


def test_nul_characters_are_dropped_not_refused_by_the_database(tmp_path):
    line = json.loads(listing_lines(1)[0])
    line["title"] = "A title\u0000 with a NUL"
    line["authors"] = ["Ada\u0000 Lovelace"]
    path = write_lines(tmp_path, [json.dumps(line)])
    out, _ = run("import", str(path))
    assert "1 created" in out
    paper = Paper.objects.get(arxiv_id=line["id"])
    assert paper.title == "A title with a NUL"
    assert paper.authors.get().name == "Ada Lovelace"
