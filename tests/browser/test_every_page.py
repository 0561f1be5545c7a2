"""Every page at phone (390 px) and desktop (1280 px) width, anonymous and signed in:
a full-page screenshot of each (kept as the run's artefacts, see ``artifacts``), and
no page wider than the screen, no header link broken over two lines, no account
button drawn unlike the menu around it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from paperfeed.catalogue.models import Paper
from paperfeed.community.models import Collection, CollectionItem, Comment
from paperfeed.community.votes import cast
from paperfeed.digests.models import Subscriber
from paperfeed.digests.tokens import manage_token
from paperfeed.search.keyword import index_keyword
from paperfeed.web.display import author_url
from tests.support.community import make_reader
from tests.support.corpus import load_corpus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 900}},
}


@pytest.fixture
def site(transactional_db):  # type: ignore[no-untyped-def]
    """Three listing days with votes, a comment, a collection and a digest subscriber;
    keyword rows written so search has results."""
    load_corpus(listings=711)
    index_keyword(list(Paper.objects.values_list("pk", flat=True)))
    reader = make_reader("ada")
    day = Paper.objects.latest("announced").announced
    papers = list(Paper.objects.filter(announced=day).order_by("-arxiv_id"))
    for i, paper in enumerate(papers[-3:]):
        for j in range(3 - i):
            cast(make_reader(f"voter{i}{j}"), paper)
    paper = Paper.objects.filter(abstract__contains="$", announced=day).first()
    Comment.objects.create(
        author=reader, paper=paper, body="A clear write-up; https://example.org/notes sums it up."
    )
    collection = Collection.objects.create(owner=reader, name="To read")
    for item in papers[:3]:
        CollectionItem.objects.create(collection=collection, paper=item)
    subscriber = Subscriber.objects.create(
        email="ada@example.org", user=reader, confirmed_at=timezone.now()
    )
    author = paper.authorships.order_by("position").first().author
    return {
        "reader": reader,
        "paper": paper,
        "collection": collection,
        "manage_token": manage_token(subscriber),
        "author": author_url(author),
        "category": paper.primary_category_id,
    }


def pages(site: dict, signed_in: bool) -> list[tuple[str, str]]:
    shown = [
        ("feed", "/"),
        ("feed-list", "/?view=list"),
        ("feed-all", "/?show=all"),
        ("feed-week-list", "/?span=week&view=list&show=all"),
        ("trending", "/trending?window=month"),
        ("paper", f"/papers/{site['paper'].arxiv_id}"),
        ("categories", "/categories"),
        ("category", f"/categories/{site['category']}"),
        ("author", site["author"]),
        ("search", "/search?q=diffusion+models&mode=keyword"),
        ("search-empty", "/search?q=zzxqv+qqzzv&mode=keyword"),
        ("digest-subscribe", "/digests/subscribe"),
        ("digest-preferences", f"/digests/preferences/{site['manage_token']}"),
        ("api-docs", "/api/docs"),
        ("404", "/papers/1234.56789"),
    ]
    if signed_in:
        shown += [
            ("account", "/accounts/profile"),
            ("digest-account", "/digests/account"),
            ("collections", "/collections"),
            ("collection", f"/collections/{site['collection'].pk}"),
            ("submit", "/submit"),
        ]
    else:
        shown += [("login", "/accounts/login"), ("signup", "/accounts/signup")]
    return shown


def sign_in(s, user) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    s.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": s.base}])


HEADER_CHECK = """() => {
  const items = [...document.querySelectorAll('.site-header nav li > *')];
  const boxes = items.map(e => e.getBoundingClientRect());
  const style = items.map(e => getComputedStyle(e));
  return {
    heights: boxes.map(b => Math.round(b.height)),
    underlined: items.filter((e, i) => style[i].textDecorationLine.includes('underline'))
      .map(e => e.textContent.trim()),
    filled: items.filter((e, i) => e.tagName === 'BUTTON'
      && style[i].backgroundColor !== 'rgba(0, 0, 0, 0)').map(e => e.textContent.trim()),
    clipped: items.filter((e, i) => boxes[i].right > innerWidth || boxes[i].left < 0)
      .map(e => e.textContent.trim()),
  };
}"""


@pytest.mark.parametrize("reader", ["anonymous", "signed-in"])
def test_every_page_fits_phone_and_desktop(session, site, artifacts, reader):
    signed_in = reader == "signed-in"
    problems: list[str] = []
    for device, options in VIEWPORTS.items():
        width = options["viewport"]["width"]
        s = session(**options)
        if signed_in:
            sign_in(s, site["reader"])
        for name, path in pages(site, signed_in):
            response = s.goto(path)
            expected = 404 if name == "404" else 200
            assert response.status == expected, f"{path}: {response.status}"
            if name == "api-docs":
                s.page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)
            if name == "paper":
                s.page.wait_for_selector(".abstract-text .katex", timeout=10_000)
            s.page.screenshot(path=str(artifacts / f"{name}-{device}-{reader}.png"), full_page=True)
            scroll, inner = s.page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            if scroll > inner or inner > width:
                problems.append(f"{device} {path}: {scroll} px wide in a {width} px screen")
            header = s.page.evaluate(HEADER_CHECK)
            if header["heights"] and max(header["heights"]) - min(header["heights"]) > 2:
                problems.append(f"{device} {path}: header items differ {header['heights']}")
            for what in ("underlined", "filled", "clipped"):
                if header[what]:
                    problems.append(f"{device} {path}: header items {what}: {header[what]}")
    assert problems == [], "\n".join(problems)


def test_comment_delete_button_reads_as_a_quiet_link(session, site, artifacts):
    s = session(viewport={"width": 1280, "height": 900})
    sign_in(s, site["reader"])
    s.goto(f"/papers/{site['paper'].arxiv_id}")
    button = s.page.locator(".comment-actions button", has_text="Delete")
    style = button.evaluate(
        "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.borderTopWidth,"
        " s.textDecorationLine]; }"
    )
    assert style[0] == "rgba(0, 0, 0, 0)" and style[1] == "0px", style
    assert "underline" not in style[2]
