"""Links in text written by others: escaped, only http(s) URLs clickable."""

from paperfeed.textlinks import linkify

REL = 'rel="nofollow noopener ugc"'


def test_http_and_https_urls_become_links_without_trailing_punctuation():
    html = linkify("Code: https://github.com/taco-group/DecAlign. Data (http://example.org/d).")
    assert f'<a href="https://github.com/taco-group/DecAlign" {REL}>' in html
    assert f'<a href="http://example.org/d" {REL}>http://example.org/d</a>).' in html


def test_text_is_escaped_and_no_other_scheme_reaches_an_href():
    html = linkify(
        "<script>alert(1)</script> javascript:alert(1) data:text/html,x "
        "mailto:a@b.org write to a@b.org ftp://files.example.org "
        'https://x.org/"onmouseover="alert(1)'
    )
    assert "<script>" not in html and "&lt;script&gt;" in html
    hrefs = [part.split('"')[0] for part in html.split('href="')[1:]]
    assert hrefs == ["https://x.org/"]
    assert "onmouseover=" not in html.replace("onmouseover=&quot;", "")


def test_long_urls_are_shortened_in_the_text_only():
    url = "https://example.org/" + "a" * 100
    html = linkify(url)
    assert f'href="{url}"' in html
    assert "…</a>" in html


def test_empty_text():
    assert linkify("") == ""
