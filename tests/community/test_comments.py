"""Reader comments on paper pages: posted by signed-in readers (CSRF, limits, a form
error for empty or oversize text), escaped, deleted by their authors, hidden and
unhidden by curators (logged), gone with their account, and never stale in the page
cache anonymous readers are served from."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client

from paperfeed.community.models import Comment, CurationLog
from paperfeed.community.revisions import forget as forget_revisions
from paperfeed.web.responses import clear_page_cache, page_cache
from tests.support.community import PASSWORD, load_papers, make_curator, make_reader

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Every test starts from empty caches: the page cache lives on disk across tests,
    and a paper page of an earlier test has the same URL."""
    cache.clear()
    clear_page_cache()
    forget_revisions()


@pytest.fixture
def paper():  # type: ignore[no-untyped-def]
    return load_papers(5)[0]


def signed_in(user: User, **kwargs) -> Client:  # type: ignore[no-untyped-def]
    client = Client(**kwargs)
    client.force_login(user)
    return client


def post(client: Client, paper, body: str):  # type: ignore[no-untyped-def]
    return client.post(f"/papers/{paper.arxiv_id}/comments", {"body": body})


def page(client: Client, paper) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/papers/{paper.arxiv_id}")
    assert response.status_code == 200
    return response.content.decode()


def test_a_reader_posts_a_comment_that_everyone_reads(client, paper):
    ada = make_reader("ada")
    reader = signed_in(ada)
    form = page(reader, paper)
    assert f'action="/papers/{paper.arxiv_id}/comments"' in form and 'name="body"' in form
    assert 'maxlength="5000"' in form

    response = post(reader, paper, "  The ablation in section 4 is convincing.  ")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/papers/{paper.arxiv_id}#comment-{comment.pk}"
    assert (comment.paper, comment.author, comment.body) == (
        paper,
        ada,
        "The ablation in section 4 is convincing.",
    )
    post(reader, paper, "And a second thought.")

    html = page(client, paper)  # anonymous
    assert "The ablation in section 4 is convincing." in html
    assert html.index("The ablation") < html.index("And a second thought.")  # oldest first
    assert '<strong class="comment-author">Ada</strong>' in html  # the display name
    assert f'datetime="{comment.created_at.isoformat()}"' in html
    assert "Discussion" in html and '<span class="comment-count">(2)</span>' in html
    # anonymous visitors read, and are offered a log-in link back to the discussion
    assert f"/accounts/login?next=%2Fpapers%2F{paper.arxiv_id}%23comments" in html
    assert "comment-form" not in html and "comment-delete" not in html
    assert "Delete</button>" not in html


def test_anonymous_visitors_are_sent_to_log_in_and_nothing_is_stored(client, paper):
    response = post(client, paper, "drive-by")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login?next=/papers/{paper.arxiv_id}%23comments"
    assert client.get(f"/papers/{paper.arxiv_id}/comments").status_code == 405
    unknown = signed_in(make_reader()).post("/papers/2101.99999/comments", {"body": "x"})
    assert unknown.status_code == 404
    assert not Comment.objects.exists()


def test_comments_need_the_forms_csrf_token(paper):
    strict = signed_in(make_reader(), enforce_csrf_checks=True)
    assert post(strict, paper, "no token").status_code == 403
    assert not Comment.objects.exists()
    # the token the page's form carries is accepted
    html = page(strict, paper)
    form = html[html.index('class="comment-form"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    response = strict.post(
        f"/papers/{paper.arxiv_id}/comments", {"body": "with token", "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302 and Comment.objects.get().body == "with token"


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("", "Write something before posting."),
        (" \r\n\t ", "Write something before posting."),
        ("x" * 5001, "A comment can be at most 5,000 characters; this one has 5001."),
    ],
)
def test_empty_and_oversize_comments_get_a_form_error(paper, body, error):
    response = post(signed_in(make_reader()), paper, body)
    html = response.content.decode()
    assert response.status_code == 400
    assert error in html and 'class="errorlist"' in html
    assert 'name="body"' in html  # the form again, to correct and resend
    assert not Comment.objects.exists()


def test_the_limit_counts_characters_as_the_textarea_does(paper):
    """Browsers send line breaks as CRLF but count them as one character."""
    reader = signed_in(make_reader())
    full = "ab\r\n" * 1666 + "ab"  # 5000 characters in the textarea, 6666 on the wire
    assert post(reader, paper, full).status_code == 302
    assert len(Comment.objects.get().body) == 5000
    assert post(reader, paper, full + "c").status_code == 400


def test_comment_text_is_escaped_with_line_breaks_and_safe_links(client, paper):
    body = (
        '<script>alert("x")</script> <b>bold</b>\n'
        "see https://example.org/code?a=1&b=2\n"
        'and <a href="https://evil.example/">this</a>'
    )
    post(signed_in(make_reader()), paper, body)
    html = page(client, paper)
    start = html.index('<div class="comment-body">')
    shown = html[start : html.index("</div>", start)]
    assert "<script>" not in shown and "<b>" not in shown and 'evil.example/">' not in shown
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;<br>" in shown
    assert (
        '<a href="https://example.org/code?a=1&amp;b=2" rel="nofollow noopener ugc">'
        "https://example.org/code?a=1&amp;b=2</a><br>"
    ) in shown
    assert shown.count("<a ") == 2  # the pasted anchor is text; only bare URLs become links


def test_posting_is_rate_limited_per_account(settings, paper):
    settings.PAPERFEED_RATE_LIMITS = {"comment:user": "2/h", "comment:ip": "1000/h"}
    reader = signed_in(make_reader())
    codes = [post(reader, paper, f"comment {i}").status_code for i in range(3)]
    assert codes == [302, 302, 429]
    assert Comment.objects.count() == 2
    assert post(signed_in(make_reader()), paper, "another account").status_code == 302


def test_posting_is_rate_limited_per_ip(settings, paper):
    settings.PAPERFEED_RATE_LIMITS = {"comment:user": "1000/h", "comment:ip": "3/h"}
    readers = [signed_in(make_reader()) for _ in range(2)]  # two accounts, one address
    codes = [post(c, paper, "from the same address").status_code for c in readers * 2]
    assert codes == [302, 302, 302, 429]
    assert Comment.objects.count() == 3


def test_banned_and_deactivated_accounts_cannot_post(paper):
    banned = make_reader("banned")
    banned.profile.banned = True  # flagged in the admin, account still active
    banned.profile.save()
    assert post(signed_in(banned), paper, "spam").status_code == 403
    inactive = make_reader("inactive")
    client = signed_in(inactive)
    User.objects.filter(pk=inactive.pk).update(is_active=False)
    response = post(client, paper, "spam")
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert not Comment.objects.exists()
    assert "This account cannot comment." in page(signed_in(banned), paper)


def test_authors_delete_their_own_comments_and_only_theirs(client, paper):
    author, other, curator = make_reader("author"), make_reader("other"), make_curator()
    post(signed_in(author), paper, "first")
    post(signed_in(author), paper, "second")
    first, second = Comment.objects.order_by("pk")
    # someone else, even a curator, is refused; an anonymous visitor goes to log in
    for who in (other, curator):
        assert signed_in(who).post(f"/comments/{first.pk}/delete").status_code == 403
    assert client.post(f"/comments/{first.pk}/delete").status_code == 302
    assert Comment.objects.count() == 2

    mine = signed_in(author)
    html = page(mine, paper)
    assert html.count("Delete</button>") == 2
    assert f'action="/comments/{first.pk}/delete"' in html
    assert "Delete</button>" not in page(signed_in(other), paper)
    response = mine.post(f"/comments/{first.pk}/delete")
    assert response.status_code == 302
    assert response["Location"] == f"/papers/{paper.arxiv_id}#comments"
    assert list(Comment.objects.all()) == [second]
    assert mine.get(f"/comments/{second.pk}/delete").status_code == 405
    assert mine.post("/comments/999999/delete").status_code == 404


def test_curators_hide_and_unhide_comments_and_each_change_is_logged(client, paper):
    author = make_reader("author")
    post(signed_in(author), paper, "Buy cheap watches")
    post(signed_in(author), paper, "A fair question about table 2")
    spam, fair = Comment.objects.order_by("pk")
    cleo = make_curator("cleo")
    curator = signed_in(cleo)

    response = curator.post(f"/comments/{spam.pk}/curate", {"action": "hide", "note": "spam"})
    assert response.status_code == 302
    assert response["Location"] == f"/papers/{paper.arxiv_id}#comment-{spam.pk}"
    spam.refresh_from_db()
    assert spam.hidden and spam.hidden_by == cleo and spam.hidden_at is not None
    # readers no longer see it; the curator sees it marked, with an Unhide button
    for reader in (client, signed_in(author)):
        html = page(reader, paper)
        assert "Buy cheap watches" not in html and "A fair question" in html
        assert '<span class="comment-count">(1)</span>' in html
    html = page(curator, paper)
    hidden = html[html.index(f'id="comment-{spam.pk}"') : html.index(f'id="comment-{fair.pk}"')]
    assert f'<li class="comment comment-hidden" id="comment-{spam.pk}">' in html
    assert html.count("comment-hidden") == 1  # the other one is not
    assert "Buy cheap watches" in hidden
    assert "Hidden from readers by Cleo" in hidden
    assert 'value="unhide"' in hidden and "Unhide</button>" in hidden

    curator.post(f"/comments/{spam.pk}/curate", {"action": "hide"})  # a second click: no-op
    curator.post(f"/comments/{spam.pk}/curate", {"action": "unhide"})
    spam.refresh_from_db()
    assert not spam.hidden and spam.hidden_by is None and spam.hidden_at is None
    assert "Buy cheap watches" in page(client, paper)

    log = list(
        CurationLog.objects.order_by("pk").values_list(
            "actor", "actor_name", "action", "comment", "paper", "target_user", "note"
        )
    )
    assert log == [
        (cleo.pk, "cleo@example.org", "hide comment", spam.pk, paper.pk, author.pk, "spam"),
        (cleo.pk, "cleo@example.org", "unhide comment", spam.pk, paper.pk, author.pk, ""),
    ]
    assert all(e.created_at for e in CurationLog.objects.all())
    log_page = curator.get("/curate/log").content.decode()
    assert "hide comment" in log_page and "unhide comment" in log_page
    assert f'href="/papers/{paper.arxiv_id}#comment-{spam.pk}">comment {spam.pk}</a>' in log_page
    assert "Buy cheap watches" in log_page and "author@example.org" in log_page
    # the author deletes it: the log keeps who hid what comment on which paper
    signed_in(author).post(f"/comments/{spam.pk}/delete")
    log_page = curator.get("/curate/log").content.decode()
    assert log_page.count("a comment since deleted by author@example.org") == 2
    assert CurationLog.objects.filter(comment__isnull=True, paper=paper).count() == 2


@pytest.mark.parametrize("who", ["anonymous", "reader", "author"])
def test_only_curators_hide_comments(client, paper, who):
    author = make_reader("author")
    post(signed_in(author), paper, "keep me")
    comment = Comment.objects.get()
    if who != "anonymous":
        client.force_login(author if who == "author" else make_reader())
    response = client.post(f"/comments/{comment.pk}/curate", {"action": "hide"})
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert not Comment.objects.get().hidden and not CurationLog.objects.exists()
    assert "Hide</button>" not in page(client, paper)
    curator = signed_in(make_curator())
    assert "Hide</button>" in page(curator, paper)
    assert curator.post(f"/comments/{comment.pk}/curate", {"action": "x"}).status_code == 400


def test_the_admin_hides_and_unhides_comments_and_logs_it(paper):
    author = make_reader("author")
    post(signed_in(author), paper, "one")
    post(signed_in(author), paper, "two")
    comments = list(Comment.objects.order_by("pk"))
    staff = make_curator("staff")
    staff.is_staff = True
    staff.save()
    admin = signed_in(staff)
    listing = admin.get("/admin/community/comment/")
    assert listing.status_code == 200 and "hide_comments" in listing.content.decode()
    response = admin.post(
        "/admin/community/comment/",
        {"action": "hide_comments", "_selected_action": [c.pk for c in comments]},
    )
    assert response.status_code == 302
    assert Comment.objects.filter(hidden=True, hidden_by=staff).count() == 2
    admin.post(
        "/admin/community/comment/",
        {"action": "unhide_comments", "_selected_action": [comments[0].pk]},
    )
    assert list(Comment.objects.order_by("pk").values_list("hidden", flat=True)) == [False, True]
    log = list(CurationLog.objects.order_by("pk").values_list("action", "comment", "note"))
    assert log == [
        ("hide comment", comments[0].pk, "admin"),
        ("hide comment", comments[1].pk, "admin"),
        ("unhide comment", comments[0].pk, "admin"),
    ]
    # curators cannot add or delete comments there, nor edit what a reader wrote
    assert admin.get("/admin/community/comment/add/").status_code == 403
    assert admin.post(f"/admin/community/comment/{comments[0].pk}/delete/").status_code == 403
    admin.post(f"/admin/community/comment/{comments[0].pk}/change/", {"body": "rewritten"})
    assert Comment.objects.get(pk=comments[0].pk).body == "one"


def test_deleting_an_account_deletes_its_comments(client, paper):
    leaving, staying = make_reader("leaving"), make_reader("staying")
    mine = signed_in(leaving)
    post(mine, paper, "words of the leaving reader")
    post(signed_in(staying), paper, "words of the staying reader")
    assert "words of the leaving reader" in page(client, paper)
    assert mine.post("/accounts/delete", {"password": PASSWORD}).status_code == 200
    assert not User.objects.filter(pk=leaving.pk).exists()
    assert list(Comment.objects.values_list("body", flat=True)) == ["words of the staying reader"]
    html = page(client, paper)  # the anonymous page, served from the cache until now
    assert "words of the leaving reader" not in html and "words of the staying reader" in html


def test_the_anonymous_cached_page_follows_every_comment_change(client, paper):
    """Anonymous readers are served the page cache, keyed by an ETag that folds in
    the community revision: each comment write must move it (nothing is cleared)."""

    def anonymous_view() -> tuple[str, str]:
        response = client.get(f"/papers/{paper.arxiv_id}")
        assert response.status_code == 200
        return response["ETag"], response.content.decode()

    etag, html = anonymous_view()
    assert page_cache().get(etag.strip('"')) is not None  # the cache holds the page
    assert anonymous_view() == (etag, html)
    author, curator = signed_in(make_reader("author")), signed_in(make_curator())

    post(author, paper, "Fresh comment on the cached page")
    etag2, html = anonymous_view()
    assert etag2 != etag and "Fresh comment on the cached page" in html
    comment = Comment.objects.get()

    curator.post(f"/comments/{comment.pk}/curate", {"action": "hide"})
    etag3, html = anonymous_view()
    assert etag3 != etag2 and "Fresh comment on the cached page" not in html

    curator.post(f"/comments/{comment.pk}/curate", {"action": "unhide"})
    assert "Fresh comment on the cached page" in anonymous_view()[1]

    author.post(f"/comments/{comment.pk}/delete")
    assert "Fresh comment on the cached page" not in anonymous_view()[1]


def test_the_discussion_is_one_query_however_many_comments(
    client, paper, django_assert_num_queries
):
    readers = [make_reader() for _ in range(4)]
    post(signed_in(readers[0]), paper, "one")
    from paperfeed.community.comments import discussion

    with django_assert_num_queries(1):
        assert [c.author_name for c in discussion(paper)] == [readers[0].profile.display_name]
    for reader in readers[1:]:
        post(signed_in(reader), paper, "more")
    with django_assert_num_queries(1):
        assert len(discussion(paper)) == 4


def test_a_ban_hides_the_accounts_comments(client, paper):
    spammer, ada = make_reader("spammer"), make_reader("ada")
    post(signed_in(spammer), paper, "Buy followers at example.com")
    post(signed_in(ada), paper, "A real question about table 2.")
    assert "Buy followers" in page(client, paper)  # anonymous, now in the page cache

    curator = make_curator("cora")
    response = signed_in(curator).post("/curate/accounts", {"action": "ban", "user_id": spammer.pk})
    assert response.status_code in (200, 302)
    hidden = Comment.objects.get(author=spammer)
    assert hidden.hidden and hidden.hidden_by == curator
    assert not Comment.objects.get(author=ada).hidden
    html = page(client, paper)
    assert "Buy followers" not in html and "A real question about table 2." in html
