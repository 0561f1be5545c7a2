"""Limits that hold against a client: the address behind trusted proxies only,
generous limits on expensive reads, a cap on request bodies; and the settings a
deployment relies on (HTTPS, proxies, private data files)."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from django.test import RequestFactory

from paperfeed.ratelimit.limits import client_ip

pytestmark = pytest.mark.django_db


def request(xff: str | None, remote: str = "10.0.0.1"):  # type: ignore[no-untyped-def]
    extra = {"HTTP_X_FORWARDED_FOR": xff} if xff is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


def test_client_ip_ignores_forwarded_for_without_trusted_proxies(settings):
    settings.PAPERFEED_TRUSTED_PROXIES = 0
    assert client_ip(request("1.2.3.4")) == "10.0.0.1"


def test_client_ip_takes_the_entry_the_outermost_trusted_proxy_wrote(settings):
    settings.PAPERFEED_TRUSTED_PROXIES = 1  # nginx appends $remote_addr
    assert client_ip(request("6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_ip(request("203.0.113.9")) == "203.0.113.9"
    assert client_ip(request(None)) == "10.0.0.1"
    settings.PAPERFEED_TRUSTED_PROXIES = 2  # a CDN, then nginx
    assert client_ip(request("6.6.6.6, 203.0.113.9, 198.51.100.1")) == "203.0.113.9"
    assert client_ip(request("203.0.113.9")) == "203.0.113.9"  # came in past the CDN


@pytest.mark.parametrize("path", ["/search?q=graph+networks", "/api/search?q=graph+networks"])
def test_semantic_and_hybrid_search_are_limited_per_ip_keyword_is_not(client, settings, path):
    settings.PAPERFEED_RATE_LIMITS = {"expensive-read:ip": "2/d"}  # a window no run straddles
    codes = [client.get(f"{path}&mode={mode}").status_code for mode in ("hybrid", "semantic")]
    assert 429 not in codes
    refused = client.get(f"{path}&mode=semantic")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert client.get(f"{path}&mode=keyword").status_code == 200


def test_a_5_mb_anonymous_post_is_refused_before_it_is_read(client):
    body = "email=a%40example.org&website=" + "x" * 5_000_000
    response = client.post(
        "/digests/subscribe", body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 413
    upload = client.post(
        "/digests/subscribe",
        {"email": "a@example.org", "file": ("big.bin", b"x" * 5_000_000)},
    )
    assert upload.status_code == 413
    from paperfeed.digests.models import Subscriber

    assert not Subscriber.objects.exists()


def settings_in_a_fresh_process(tmp_path, **env) -> dict:  # type: ignore[no-untyped-def]
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "PAPERFEED_TRUSTED_PROXIES",
        "DATA_UPLOAD_MAX_MEMORY_SIZE",
        "FILE_UPLOAD_MAX_MEMORY_SIZE",
    ]
    code = (
        "import json; from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {names!r}}}))"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PAPERFEED_")}
    environ.update(PAPERFEED_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="paperfeed.settings")
    environ.update(env)
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_secure_redirects_to_https_and_trusts_the_proto_header_only_behind_a_proxy(tmp_path):
    plain = settings_in_a_fresh_process(tmp_path)
    assert not plain["SECURE_SSL_REDIRECT"] and plain["SECURE_PROXY_SSL_HEADER"] is None
    assert plain["DATA_UPLOAD_MAX_MEMORY_SIZE"] <= 1_000_000
    assert plain["FILE_UPLOAD_MAX_MEMORY_SIZE"] <= 1_000_000
    direct = settings_in_a_fresh_process(tmp_path, PAPERFEED_SECURE="1")
    assert direct["SECURE_SSL_REDIRECT"] and direct["SESSION_COOKIE_SECURE"]
    assert direct["SECURE_HSTS_SECONDS"] > 0 and direct["SECURE_PROXY_SSL_HEADER"] is None
    proxied = settings_in_a_fresh_process(
        tmp_path, PAPERFEED_SECURE="1", PAPERFEED_TRUSTED_PROXIES="1"
    )
    assert proxied["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_the_old_client_ip_header_setting_stops_start_up_with_a_reason(tmp_path):
    environ = {**os.environ, "PAPERFEED_DATA_DIR": str(tmp_path)}
    environ["PAPERFEED_CLIENT_IP_HEADER"] = "HTTP_X_FORWARDED_FOR"
    done = subprocess.run(
        [sys.executable, "-m", "paperfeed", "check"], env=environ, capture_output=True, text=True
    )
    assert done.returncode != 0 and "PAPERFEED_TRUSTED_PROXIES" in done.stderr


def test_data_files_are_private_to_their_owner(tmp_path):
    data = tmp_path / "data"
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SMTP_URL")}
    environ["PAPERFEED_DATA_DIR"] = str(data)
    code = (
        "import django; django.setup(); "
        "from django.core.management import call_command; call_command('migrate', verbosity=0); "
        "from django.core.mail import send_mail; send_mail('s', 'b', None, ['a@example.org']); "
        "from django.core.cache import caches; caches['pages'].set('k', b'v')"
    )
    environ["DJANGO_SETTINGS_MODULE"] = "paperfeed.settings"
    done = subprocess.run([sys.executable, "-c", code], env=environ, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    seen = {}
    for path in [data, *data.rglob("*")]:
        if "static" in path.relative_to(data).parts:
            continue  # public by nature: the site's own CSS and scripts
        mode = stat.S_IMODE(path.stat().st_mode)
        seen[str(path.relative_to(data))] = mode
        assert mode & 0o077 == 0, f"{path} is mode {oct(mode)}"
    assert "paperfeed.sqlite3" in seen and "mail" in seen and "cache/pages" in seen
    assert any(name.startswith("mail/") for name in seen)
