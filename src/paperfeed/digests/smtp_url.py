"""``SMTP_URL`` to Django's EMAIL_* settings.

    smtp://user:pass@host:587?starttls=1     STARTTLS on a submission port
    smtps://user:pass@host:465               TLS from the first byte
    smtp://localhost:25                      plain, no authentication

Query options: ``starttls=1``, ``timeout=SECONDS`` (default 30). User and password
are percent-decoded, so ``@`` or ``:`` in a password is written ``%40`` / ``%3A``.
No ``SMTP_URL``: mail is written as ``.eml`` files in ``DATA_DIR/mail/``.

Kept free of Django imports: settings.py calls it.
"""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

EML_BACKEND = "paperfeed.digests.backends.EmlBackend"
SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"

_TRUE = {"1", "true", "yes", "on"}


class BadSmtpUrl(ValueError):
    pass


def email_settings(url: str | None) -> dict[str, object]:
    """The EMAIL_* settings for this URL (the .eml backend when it is empty)."""
    if not url or not url.strip():
        return {"EMAIL_BACKEND": EML_BACKEND}
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in {"smtp", "smtps"}:
        raise BadSmtpUrl(f"SMTP_URL must start with smtp:// or smtps://, not {scheme}://")
    if not parts.hostname:
        raise BadSmtpUrl("SMTP_URL has no host")
    query = {k.lower(): v[-1] for k, v in parse_qs(parts.query).items()}
    starttls = query.get("starttls", "").lower() in _TRUE
    if scheme == "smtps" and starttls:
        raise BadSmtpUrl("smtps:// already uses TLS; drop starttls=1")
    try:
        port = parts.port or (465 if scheme == "smtps" else 587 if starttls else 25)
        timeout = float(query.get("timeout", "30"))
    except ValueError as exc:
        raise BadSmtpUrl(f"SMTP_URL: {exc}") from None
    return {
        "EMAIL_BACKEND": SMTP_BACKEND,
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port,
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_TLS": starttls,
        "EMAIL_USE_SSL": scheme == "smtps",
        "EMAIL_TIMEOUT": timeout,
    }
