import pytest
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
