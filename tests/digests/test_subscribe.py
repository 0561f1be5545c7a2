"""Subscribing through the web: the footer form, double opt-in over real SMTP."""

from __future__ import annotations

import pytest
from django.test import Client

from paperfeed.digests.models import Subscriber
from tests.digests.helpers import links, subscriber

pytestmark = pytest.mark.django_db


def _confirm_link(smtp, address):
    (message,) = smtp.handler.to(address)
    assert message["Subject"] == "Confirm your paperfeed digest subscription"
    assert message["From"] == "paperfeed <digest@papers.example.org>"
    (link,) = links(message.get_content(), "confirm")
    return link


def test_every_page_has_the_subscribe_form(client):
    page = client.get("/").content.decode()
    assert 'action="/digests/subscribe"' in page
    assert 'name="email"' in page


def test_double_opt_in(smtp):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/digests/subscribe", {"email": "Reader@Example.ORG"})
    assert response.status_code == 200
    assert b"Check your inbox" in response.content
    sub = Subscriber.objects.get()
    assert sub.email == "Reader@example.org"
    assert sub.status == "pending"
    link = _confirm_link(smtp, "Reader@example.org")

    page = client.get(link)  # a mail scanner following the link confirms nothing
    assert page.status_code == 200 and b"Yes, subscribe me" in page.content
    assert Subscriber.objects.get().status == "pending"
    assert client.post(link).status_code == 403  # CSRF still on for this form
    token = page.cookies["csrftoken"].value
    done = client.post(link, {"csrfmiddlewaretoken": token})
    assert done.status_code == 302 and "/digests/preferences/" in done["Location"]
    assert Subscriber.objects.get().status == "active"
    prefs = client.get(done["Location"])
    assert b"Your subscription is confirmed" in prefs.content

    # replaying the confirmation link does nothing, even after unsubscribing
    Subscriber.objects.update(unsubscribed_at="2026-01-01T00:00:00Z")
    assert client.get(link).status_code == 400
    assert client.post(link, {"csrfmiddlewaretoken": token}).status_code == 400
    assert Subscriber.objects.get().status == "unsubscribed"


def test_same_answer_whatever_the_address_state(client, smtp):
    subscriber("active@example.org")
    subscriber("gone@example.org", suppressed_at="2026-01-01T00:00:00Z")
    pages = {}
    for address in ["new@example.org", "active@example.org", "gone@example.org"]:
        response = client.post("/digests/subscribe", {"email": address})
        assert response.status_code == 200
        pages[address] = response.content.decode().replace(address, "ADDRESS")
    assert len(set(pages.values())) == 1
    # only the new address is mailed; confirmed and suppressed ones get nothing
    assert smtp.handler.recipients() == {"new@example.org": 1}


def test_resubscribing_is_harmless_and_rate_limited_per_address(client, smtp):
    for _ in range(5):
        assert client.post("/digests/subscribe", {"email": "again@example.org"}).status_code == 200
    assert Subscriber.objects.count() == 1
    assert smtp.handler.recipients() == {"again@example.org": 3}  # 3 mails a day at most
    links_sent = {links(m.get_content(), "confirm")[0] for m in smtp.handler.messages}
    for link in links_sent:
        assert client.get(link).status_code == 200


def test_unsubscribed_address_can_subscribe_again(client, smtp):
    subscriber("back@example.org", unsubscribed_at="2026-01-01T00:00:00Z")
    client.post("/digests/subscribe", {"email": "back@example.org"})
    link = _confirm_link(smtp, "back@example.org")
    assert Subscriber.objects.get().status == "unsubscribed"  # until confirmed
    client.post(link)
    assert Subscriber.objects.get().status == "active"


@pytest.mark.parametrize(
    "data",
    [
        {"email": "not-an-address"},
        {"email": ""},
        {},
        {"email": "a@b.org\r\nBcc: victim@example.org"},
        {"email": "x" * 300 + "@example.org"},
    ],
)
def test_bad_input_is_refused(client, smtp, data):
    response = client.post("/digests/subscribe", data)
    assert response.status_code == 400
    assert Subscriber.objects.count() == 0
    assert smtp.handler.messages == []


def test_oversized_form_is_refused(client, smtp):
    response = client.post(
        "/digests/subscribe", {"email": "a@example.org", "website": "x" * 2_000_000}
    )
    assert response.status_code == 413  # refused before the body is read
    assert Subscriber.objects.count() == 0


def test_honeypot_gets_the_same_answer_and_no_mail(client, smtp):
    response = client.post("/digests/subscribe", {"email": "bot@example.org", "website": "spam"})
    assert response.status_code == 200 and b"Check your inbox" in response.content
    assert Subscriber.objects.count() == 0 and smtp.handler.messages == []


def test_subscribe_is_rate_limited_per_ip(client, smtp):
    codes = [
        client.post("/digests/subscribe", {"email": f"r{n}@example.org"}).status_code
        for n in range(22)
    ]
    assert codes[:20] == [200] * 20
    assert codes[20:] == [429, 429]


def test_confirmation_survives_a_dead_mail_server(client, smtp):
    smtp.stop()
    response = client.post("/digests/subscribe", {"email": "later@example.org"})
    assert response.status_code == 200 and b"Check your inbox" in response.content
