"""Find code-repository URLs in text (abstracts, comments, what a reader pastes).

Recognised: ``github.com/owner/repo``, ``gitlab.com/group[/subgroup...]/project``,
``huggingface.co/owner/model`` and ``huggingface.co/{datasets,spaces}/owner/name``.
Trailing punctuation from prose (``repo).``, ``repo,``) and ``.git`` are removed;
site pages that are not repositories (``github.com/features``, ``/orgs/..``) are not.
arXiv wraps abstracts, so a URL broken by a space after a slash is not rejoined.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_NAME = r"[A-Za-z0-9][A-Za-z0-9._-]*"
_URL = re.compile(
    r"(?:https?://)?(?:www\.)?(?P<host>github\.com|gitlab\.com|huggingface\.co)/"
    r"(?P<path>[A-Za-z0-9._/-]+)",
    re.IGNORECASE,
)
_GITHUB_RESERVED = {
    "about", "apps", "blog", "collections", "contact", "customer-stories", "enterprise",
    "events", "explore", "features", "login", "marketplace", "orgs", "pricing", "search",
    "settings", "site", "sponsors", "topics", "trending", "users", "join", "pulls", "issues",
}  # fmt: skip
_GITLAB_STOP = {"-", "tree", "blob", "issues", "merge_requests", "wikis", "raw"}
_HF_KINDS = {"datasets", "spaces"}
_HF_RESERVED = {"docs", "blog", "papers", "models", "join", "login", "pricing", "tasks", "learn"}


@dataclass(frozen=True)
class RepoRef:
    host: str  # "github", "gitlab", "huggingface"
    full_name: str

    @property
    def url(self) -> str:
        base = {"github": "https://github.com", "gitlab": "https://gitlab.com"}.get(
            self.host, "https://huggingface.co"
        )
        return f"{base}/{self.full_name}"


def _clean(part: str) -> str:
    part = part.rstrip(".,;:)]}'\"")
    if part.lower().endswith(".git"):
        part = part[:-4]
    return part


def _ref(host: str, path: str) -> RepoRef | None:
    parts = [p for p in path.split("/") if p]
    host = host.lower()
    if host == "github.com":
        if len(parts) < 2:
            return None
        owner, name = _clean(parts[0]), _clean(parts[1])
        if owner.lower() in _GITHUB_RESERVED or not re.fullmatch(_NAME, owner or "-"):
            return None
        if not name or not re.fullmatch(_NAME, name):
            return None
        return RepoRef("github", f"{owner}/{name}")
    if host == "gitlab.com":
        kept = []
        for p in parts:
            if p in _GITLAB_STOP:
                break
            kept.append(_clean(p))
        kept = [p for p in kept if p]
        if len(kept) < 2 or not all(re.fullmatch(_NAME, p) for p in kept):
            return None
        return RepoRef("gitlab", "/".join(kept[:4]))
    # huggingface.co
    if not parts:
        return None
    if parts[0] in _HF_KINDS:
        if len(parts) < 3:
            return None
        owner, name = _clean(parts[1]), _clean(parts[2])
        prefix = parts[0] + "/"
    else:
        if len(parts) < 2 or parts[0].lower() in _HF_RESERVED:
            return None
        owner, name = _clean(parts[0]), _clean(parts[1])
        prefix = ""
    if not (re.fullmatch(_NAME, owner or "-") and re.fullmatch(_NAME, name or "-")):
        return None
    return RepoRef("huggingface", f"{prefix}{owner}/{name}")


def find_repositories(text: str) -> list[RepoRef]:
    """Repositories named in ``text``, first mention first, each once."""
    found: dict[tuple[str, str], RepoRef] = {}
    for match in _URL.finditer(text or ""):
        ref = _ref(match.group("host"), match.group("path"))
        if ref is not None:
            found.setdefault((ref.host, ref.full_name.lower()), ref)
    return list(found.values())


def parse_repository_url(text: str) -> RepoRef | None:
    """The one repository a reader pasted, or None."""
    refs = find_repositories(text.strip())
    return refs[0] if refs else None
