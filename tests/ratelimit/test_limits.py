import threading

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory

from paperfeed.ratelimit.limits import Rate, hit, ratelimit
from paperfeed.ratelimit.models import Counter

pytestmark = pytest.mark.django_db


def test_rate_parsing():
    assert Rate.parse("10/m") == Rate(10, 60)
    assert Rate.parse("5/10m") == Rate(5, 600)
    with pytest.raises(ValueError, match="bad rate"):
        Rate.parse("10/w")


def test_hits_over_the_limit_are_refused_until_the_window_ends():
    verdicts = [hit("vote", "ip:1.2.3.4", "3/m", now=1000.0).allowed for _ in range(4)]
    assert verdicts == [True, True, True, False]
    assert hit("vote", "ip:5.6.7.8", "3/m", now=1000.0).allowed  # someone else
    assert hit("signup", "ip:1.2.3.4", "3/m", now=1000.0).allowed  # another scope
    assert hit("vote", "ip:1.2.3.4", "3/m", now=1081.0).allowed  # next window


def test_identities_are_not_stored_in_clear():
    hit("vote", "ip:203.0.113.9", "3/m")
    assert "203.0.113.9" not in Counter.objects.get().key


def test_decorated_view_answers_429_with_retry_after():
    @ratelimit("submit", "2/h")
    def view(request):
        return HttpResponse("ok")

    factory = RequestFactory()
    codes = [view(factory.post("/", REMOTE_ADDR="198.51.100.1")).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = view(factory.post("/", REMOTE_ADDR="198.51.100.1"))
    assert 0 < int(refused["Retry-After"]) <= 3601
    assert view(factory.get("/", REMOTE_ADDR="198.51.100.1")).status_code == 200


def test_old_windows_are_forgotten_when_a_new_window_starts():
    hit("vote", "ip:1.2.3.4", "3/m", now=1000.0)
    hit("vote", "ip:1.2.3.4", "3/m", now=1000.0 + 1.5 * 86400)  # the old row stays
    assert Counter.objects.count() == 2
    hit("vote", "ip:1.2.3.4", "3/m", now=1000.0 + 3 * 86400)  # three days on: it goes
    assert sorted(Counter.objects.values_list("hits", flat=True)) == [1, 1]


@pytest.mark.django_db(transaction=True)
def test_hits_at_once_from_many_connections_are_each_counted_once():
    """Eight threads, each with its own connection, count the same new key at the same
    instant, five times each: no hit is lost, none counted twice, and each caller is
    told a different running total (so exactly ``limit`` of them are allowed)."""
    assert not (connection.vendor == "sqlite" and connection.is_in_memory_db())
    threads, rounds = 8, 5
    barrier = threading.Barrier(threads)
    totals: list[int] = []
    allowed: list[bool] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(10)
            for _ in range(rounds):
                verdict = hit("search", "ip:192.0.2.7", "17/m", now=5000.0)
                totals.append(verdict.hits)
                allowed.append(verdict.allowed)
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for t in workers:
        t.start()
    for t in workers:
        t.join(60)
    assert not errors, errors
    assert sorted(totals) == list(range(1, threads * rounds + 1))
    assert allowed.count(True) == 17
    assert Counter.objects.get().hits == threads * rounds
