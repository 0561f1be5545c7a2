"""Cold start from pasted ids, BibTeX, CSL JSON (Zotero) and RIS: what is found,
what is listed as unknown, and malformed files refused by name."""

from __future__ import annotations

import json

import pytest

from paperfeed.recommend.coldstart import (
    ImportFormatError,
    ids_in_text,
    match_ids,
    read_upload,
)
from paperfeed.recommend.models import PaperSignal
from paperfeed.recommend.signals import claim
from tests.support.community import load_papers, make_reader

BIBTEX = r"""
@article{eprint_entry,
  title = {Found by eprint},
  eprint = {2503.13303v2},
  archivePrefix = {arXiv},
}
@misc{url_entry, title = {Found by url}, url = {https://arxiv.org/abs/2503.13300}}
@article{doi_entry, title = {Found by DOI}, doi = {10.48550/arXiv.2503.13277}}
@article{scholar_entry, title = {Google Scholar style},
  journal = {arXiv preprint arXiv:2503.13272}}
@article{journal_only, title = {No arXiv id}, doi = {10.1145/1234567.1234568}}
@article{unknown_entry, title = {Not in the catalogue}, eprint = {2503.99999}}
"""


def test_ids_in_pasted_text():
    text = (
        "2503.13303, arXiv:2503.13300v3\n"
        "https://arxiv.org/pdf/2503.13277.pdf astro-ph/0601001 12345"
    )
    assert ids_in_text(text) == ["2503.13303", "2503.13300", "2503.13277", "astro-ph/0601001"]


def test_bibtex_ids_from_eprint_url_doi_and_journal():
    ids, without = read_upload("library.bib", BIBTEX)
    assert ids == ["2503.13303", "2503.13300", "2503.13277", "2503.13272", "2503.99999"]
    assert without == ["journal_only"]


def test_malformed_bibtex_names_the_entry():
    broken = (
        BIBTEX
        + "\n@article{broken_one, title = {Unclosed, eprint = {2503.13303}\n@misc{x, title={y}}\n"
    )
    with pytest.raises(ImportFormatError, match=r"entry 'broken_one' \(line \d+\) is malformed"):
        read_upload("library.bib", broken)


def test_zotero_csl_json_and_ris():
    csl = [
        {"id": "a", "title": "A", "URL": "http://arxiv.org/abs/2503.13303v1"},
        {"id": "b", "title": "B", "DOI": "10.48550/arXiv.2503.13300"},
        {"id": "c", "title": "C", "number": "arXiv:2503.13277"},
        {"id": "d", "title": "D", "DOI": "10.1000/xyz"},
    ]
    assert read_upload("zotero.json", json.dumps(csl)) == (
        ["2503.13303", "2503.13300", "2503.13277"],
        ["d"],
    )
    with pytest.raises(ImportFormatError, match="zotero.json: not valid JSON at line 1"):
        read_upload("zotero.json", "[{")
    ris = (
        "TY  - JOUR\nTI  - One\nUR  - http://arxiv.org/abs/2503.13303\nER  - \n"
        "TY  - JOUR\nTI  - Two\nDO  - 10.1000/abc\nER  - \n"
    )
    assert read_upload("export.ris", ris) == (["2503.13303"], ["Two"])


@pytest.mark.django_db
def test_claiming_from_bibtex_lists_unknown_ids_and_keeps_the_rest():
    load_papers(300)
    reader = make_reader()
    ids, without = read_upload("library.bib", BIBTEX)
    found = match_ids(ids, without)
    assert found.unknown == ["2503.99999"]
    assert [p.arxiv_id for p in found.papers] == ids[:4]
    assert claim(reader, found.papers) == 4
    assert claim(reader, found.papers) == 0  # idempotent
    kinds = PaperSignal.objects.filter(user=reader).values_list("paper__arxiv_id", "kind")
    assert sorted(kinds) == sorted((i, PaperSignal.CLAIMED) for i in ids[:4])
