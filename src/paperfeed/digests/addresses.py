"""Email address validation and normalisation (email-validator, no DNS lookups)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

MAX_LENGTH = 254


class BadAddress(ValueError):
    pass


def normalise(address: str) -> str:
    """The address as stored: validated, domain lower-cased (IDNA to Unicode form)."""
    address = (address or "").strip()
    if not address:
        raise BadAddress("Enter an email address.")
    if len(address) > MAX_LENGTH:
        raise BadAddress(f"An email address has at most {MAX_LENGTH} characters.")
    try:
        info = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        raise BadAddress(str(exc)) from None
    local, _, domain = info.normalized.rpartition("@")
    return f"{local}@{domain.lower()}"
