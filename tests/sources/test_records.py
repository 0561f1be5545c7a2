"""The merge rules, without a database."""

import datetime as dt

from paperfeed.sources.records import Author, PaperRecord, Version, merge

UTC = dt.UTC


def record(**overrides):
    base = dict(
        arxiv_id="2501.00001",
        title="A  title\n  wrapped",
        abstract="Line one\n  line two with $x^2$",
        authors=[Author.from_name("Ada Lovelace"), Author.from_name("Alan Turing")],
        categories=["cs.LG"],
        versions=[Version(1, dt.datetime(2025, 1, 1, tzinfo=UTC))],
    )
    base.update(overrides)
    return PaperRecord(**base)


def test_text_is_folded_and_latex_kept():
    r = record()
    assert r.title == "A title wrapped"
    assert r.abstract == "Line one line two with $x^2$"


def test_version_in_the_id_becomes_history():
    r = PaperRecord(arxiv_id="2501.00001v2", title="t")
    assert r.arxiv_id == "2501.00001"
    assert [v.number for v in r.versions] == [2]
    assert r.latest_version == 2


def test_primary_category_defaults_to_first_and_is_always_listed():
    assert record(categories=["cs.CL", "cs.AI"]).primary_category == "cs.CL"
    r = record(categories=["cs.AI"], primary_category="cs.CL")
    assert r.categories == ["cs.CL", "cs.AI"]


def test_merge_with_itself_changes_nothing():
    r = record()
    assert merge(r, record()) == r


def test_newer_version_updates_fields_and_adds_history():
    v2 = record(
        title="New title",
        versions=[Version(2, dt.datetime(2025, 2, 1, tzinfo=UTC))],
        comments="ICML 2025",
    )
    merged = merge(record(), v2)
    assert merged.title == "New title"
    assert merged.comments == "ICML 2025"
    assert [v.number for v in merged.versions] == [1, 2]
    assert merged.submitted == dt.datetime(2025, 1, 1, tzinfo=UTC)


def test_older_version_only_fills_gaps():
    known = record(title="Current", versions=[Version(2)], doi="")
    old = record(title="Old", versions=[Version(1)], doi="10.1/x")
    merged = merge(known, old)
    assert merged.title == "Current"
    assert merged.doi == "10.1/x"
    assert [v.number for v in merged.versions] == [1, 2]


def test_unknown_values_never_erase_known_ones():
    known = record(journal_ref="Nature 1", announced=dt.date(2025, 1, 2))
    sparse = PaperRecord(arxiv_id="2501.00001", title="A title wrapped", versions=[Version(1)])
    merged = merge(known, sparse)
    assert merged.journal_ref == "Nature 1"
    assert merged.abstract == known.abstract
    assert merged.authors == known.authors
    assert merged.announced == dt.date(2025, 1, 2)


def test_cross_list_adds_categories():
    merged = merge(record(categories=["cs.LG"]), record(categories=["stat.ML"]))
    assert set(merged.categories) == {"cs.LG", "stat.ML"}


def test_first_announcement_wins():
    merged = merge(record(announced=dt.date(2025, 3, 5)), record(announced=dt.date(2025, 3, 1)))
    assert merged.announced == dt.date(2025, 3, 1)
    again = merge(merged, record(announced=dt.date(2025, 4, 1)))
    assert again.announced == dt.date(2025, 3, 1)


def test_parsed_author_names_survive_an_unparsed_source():
    parsed = record(authors=[Author.from_parts("Lovelace", "Ada")])
    plain = record(authors=[Author.from_name("Ada Lovelace")])
    assert merge(parsed, plain).authors[0].keyname == "Lovelace"


def test_json_round_trip_is_lossless():
    r = record(
        authors=[Author.from_parts("Turing", "Alan M.", "Jr")],
        announced=dt.date(2025, 1, 2),
        updated=dt.datetime(2025, 2, 1, 12, 30, tzinfo=UTC),
        doi="10.1/x",
        license="http://creativecommons.org/licenses/by/4.0/",
        versions=[Version(1, dt.datetime(2025, 1, 1, tzinfo=UTC), "12kb"), Version(2)],
    )
    assert PaperRecord.from_json(r.to_json()) == r


def test_duplicate_author_in_byline_is_kept_once():
    r = record(authors=[Author.from_name("A B"), Author.from_name("C D"), Author.from_name("A B")])
    assert [a.name for a in r.authors] == ["A B", "C D"]


def test_msc_and_acm_classes_are_not_categories():
    r = record(categories=["cs.CV", "68T05, 68T07", "I.2.6; I.4.8", "cond-mat.mtrl-sci", "hep-th"])
    assert r.categories == ["cs.CV", "cond-mat.mtrl-sci", "hep-th"]
