"""Page panels (paperfeed.panels): apps register them, pages walk them in order."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from paperfeed import panels


def context_of(value):  # type: ignore[no-untyped-def]
    return lambda request, obj, page: value


def test_panels_come_in_order_and_a_name_registers_once():
    registry = panels.Registry("test")
    registry.register(panels.Panel("b.late", "x.html", context_of({}), order=20))
    registry.register(panels.Panel("a.early", "x.html", context_of({}), order=10))
    registry.register(panels.Panel("c.tie", "x.html", context_of({}), order=10))
    registry.register(panels.Panel("a.early", "y.html", context_of({}), order=10))  # again
    assert [(p.name, p.template) for p in registry.panels()] == [
        ("a.early", "y.html"),
        ("c.tie", "x.html"),
        ("b.late", "x.html"),
    ]
    registry.unregister("c.tie")
    assert [p.name for p in registry.panels()] == ["a.early", "b.late"]


def test_render_lays_the_panel_context_over_the_page_and_skips_none(settings, tmp_path):
    (tmp_path / "one.html").write_text("<p>{{ who }} on {{ page_name }}</p>")
    (tmp_path / "two.html").write_text("never")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    registry = panels.Registry("test")
    registry.register(panels.Panel("one", "one.html", context_of({"who": "<b>me</b>"})))
    registry.register(panels.Panel("two", "two.html", context_of(None), order=5))
    request = RequestFactory().get("/")
    html = registry.render(request, object(), {"page_name": "paper", "who": "page"})
    assert html == ["<p>&lt;b&gt;me&lt;/b&gt; on paper</p>"]


@pytest.mark.django_db
def test_the_paper_page_walks_the_registered_panels(client, corpus, settings, tmp_path):
    """Each app's panel appears on the paper page in the registry's order, and a panel
    that another app registers shows without the paper view knowing it."""
    extra = '<p class="extra-panel">extra for {{ paper.arxiv_id }}</p>'
    (tmp_path / "extra.html").write_text(extra)
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path]}]
    names = [p.name for p in panels.PAPER.panels()]
    assert names == [
        "trending.score",
        "codelinks.code",
        "community.save",
        "community.curate",
        "recommend.signal",
    ]
    panels.PAPER.register(panels.Panel("test.extra", "extra.html", context_of({}), order=15))
    try:
        html = client.get("/papers/0704.0001").content.decode()
    finally:
        panels.PAPER.unregister("test.extra")
    assert '<p class="extra-panel">extra for 0704.0001</p>' in html
    assert html.index('class="trending-parts"') < html.index("extra-panel")
    assert "Save to" not in html  # anonymous: the save panel leaves itself out
