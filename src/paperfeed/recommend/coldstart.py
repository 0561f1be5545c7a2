"""Cold start without history: arXiv ids from pasted text, a BibTeX file or a Zotero
export (CSL JSON or RIS), matched against the catalogue.

Ids come from BibTeX's ``eprint`` (with ``archivePrefix = arXiv`` or none), ``url``,
``doi`` of the form ``10.48550/arXiv.<id>`` and "arXiv:<id>" in ``journal``/``note``;
from CSL JSON's ``URL``, ``DOI``, ``number`` and ``archive_location``; from RIS's
``UR``, ``DO`` and ``M1`` lines. Parsing is all-or-nothing: a malformed entry raises
:class:`ImportFormatError` naming it before anything is stored.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from paperfeed.catalogue.models import Paper
from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id

# An arXiv id inside free text: URLs, "arXiv:2503.01234v2", DOIs 10.48550/arXiv.2503.01234.
_ID_IN_TEXT = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf)/|arxiv[:.]\s*|10\.48550/arxiv\.|^|(?<=[\s,;]))"
    r"(?P<id>\d{4}\.\d{4,5}(?:v\d+)?|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?)",
    re.IGNORECASE,
)
MAX_IDS = 2000


class ImportFormatError(ValueError):
    """The file could not be read; the message names the entry and its line."""


@dataclass
class Found:
    """What an import found: ``papers`` in the catalogue (in the file's order),
    ``unknown`` arXiv ids that are not (listed for the reader, nothing else lost), and
    ``without_id`` entries that name no arXiv paper."""

    papers: list[Paper] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    without_id: list[str] = field(default_factory=list)


def ids_in_text(text: str) -> list[str]:
    """Versionless arXiv ids in pasted text, in order, each once."""
    seen: dict[str, None] = {}
    for match in _ID_IN_TEXT.finditer(text or ""):
        try:
            seen.setdefault(parse_arxiv_id(match.group("id")).id, None)
        except InvalidArxivId:
            continue
    return list(seen)


def read_upload(name: str, text: str) -> tuple[list[str], list[str]]:
    """(arXiv ids, labels of entries without one) from an uploaded file, by its content:
    CSL JSON (starts with ``[`` or ``{``), RIS (``TY  -`` lines) or BibTeX."""
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith(("[", "{")):
        return ids_from_csl_json(stripped, name)
    if re.match(r"TY  - ", stripped):
        return ids_from_ris(stripped)
    if "@" in stripped:
        return ids_from_bibtex(stripped)
    return ids_in_text(stripped), []


def ids_from_bibtex(text: str) -> tuple[list[str], list[str]]:
    import bibtexparser

    library = bibtexparser.parse_string(text)
    if library.failed_blocks:
        problems = []
        for block in library.failed_blocks:
            raw = getattr(block, "raw", "") or ""
            key = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]*)", raw)
            label = f"entry {key.group(1)!r}" if key and key.group(1) else "an entry"
            line = getattr(block, "start_line", None)
            where = f" (line {line + 1})" if isinstance(line, int) else ""
            error = getattr(block, "error", None)
            detail = str(error).strip().splitlines()[0] if error and str(error).strip() else ""
            problems.append(f"{label}{where} is malformed{': ' + detail if detail else ''}")
        raise ImportFormatError("BibTeX: " + "; ".join(problems))
    ids: dict[str, None] = {}
    without: list[str] = []
    for entry in library.entries:
        fields = {k.lower(): str(f.value) for k, f in entry.fields_dict.items()}
        found = _bibtex_entry_id(fields)
        if found:
            ids.setdefault(found, None)
        else:
            without.append(entry.key)
    return list(ids), without


def _bibtex_entry_id(fields: dict[str, str]) -> str | None:
    prefix = fields.get("archiveprefix", fields.get("eprinttype", "arxiv")).lower()
    if fields.get("eprint") and prefix == "arxiv":
        found = ids_in_text(fields["eprint"])
        if found:
            return found[0]
    for name in ("url", "doi", "journal", "note", "howpublished"):
        value = fields.get(name, "")
        if name == "doi" and not value.lower().startswith("10.48550/arxiv."):
            continue
        if name in ("journal", "note", "howpublished") and "arxiv" not in value.lower():
            continue
        found = ids_in_text(value)
        if found:
            return found[0]
    return None


def ids_from_csl_json(text: str, name: str = "upload") -> tuple[list[str], list[str]]:
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"{name}: not valid JSON at line {exc.lineno}: {exc.msg}") from exc
    items = items if isinstance(items, list) else [items]
    ids: dict[str, None] = {}
    without: list[str] = []
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportFormatError(f"{name}: item {position} is not an object")
        values = [str(item.get(k, "")) for k in ("URL", "DOI", "number", "archive_location")]
        found = [i for v in values for i in ids_in_text(v) if "arxiv" in v.lower() or "/" in v]
        if found:
            ids.setdefault(found[0], None)
        else:
            without.append(str(item.get("id") or item.get("title") or f"item {position}"))
    return list(ids), without


def ids_from_ris(text: str) -> tuple[list[str], list[str]]:
    ids: dict[str, None] = {}
    without: list[str] = []
    record: list[str] = []
    title = ""
    for line in text.splitlines():
        tag, _, value = line.partition("  - ")
        tag = tag.strip()
        if tag in ("UR", "DO", "M1", "N1") and "arxiv" in value.lower():
            record.extend(ids_in_text(value))
        elif tag in ("TI", "T1"):
            title = value.strip()
        elif tag == "ER":
            if record:
                ids.setdefault(record[0], None)
            else:
                without.append(title or "a record")
            record, title = [], ""
    return list(ids), without


def match_ids(ids: list[str], without_id: list[str] | None = None) -> Found:
    """The catalogue's papers for ``ids`` (in order) and the ids it does not hold."""
    if len(ids) > MAX_IDS:
        raise ImportFormatError(f"{len(ids)} arXiv ids: at most {MAX_IDS} at once")
    papers = {p.arxiv_id: p for p in Paper.objects.filter(arxiv_id__in=ids)}
    return Found(
        papers=[papers[i] for i in ids if i in papers],
        unknown=[i for i in ids if i not in papers],
        without_id=list(without_id or []),
    )
