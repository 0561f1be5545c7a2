import pytest

from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id


@pytest.mark.parametrize(
    ("text", "key", "version"),
    [
        ("2503.11677", "2503.11677", None),
        ("2503.11677v3", "2503.11677", 3),
        ("0704.0001", "0704.0001", None),
        ("astro-ph/0601001", "astro-ph/0601001", None),
        ("quant-ph/0201082v1", "quant-ph/0201082", 1),
        ("math.GT/0309136", "math.GT/0309136", None),
        ("oai:arXiv.org:2504.00012", "2504.00012", None),
        ("arXiv:2104.12255v1", "2104.12255", 1),
        ("https://arxiv.org/abs/2104.12255v2", "2104.12255", 2),
        ("https://arxiv.org/pdf/2104.12255v2.pdf", "2104.12255", 2),
        ("  2503.11677 ", "2503.11677", None),
    ],
)
def test_parses_every_form(text, key, version):
    parsed = parse_arxiv_id(text)
    assert (parsed.id, parsed.version) == (key, version)


@pytest.mark.parametrize("text", ["", "abc", "2503.1", "25031.11677", "2503.11677v", "../etc"])
def test_rejects_what_is_not_an_id_and_names_it(text):
    with pytest.raises(InvalidArxivId) as error:
        parse_arxiv_id(text)
    assert repr(text.strip()) in str(error.value)
