"""Search queries reduced to safe terms.

The query language is small and never raises: words (any order, ranked by bm25),
``"quoted phrases"``, ``prefix*``, ``author:name`` (or ``au:``), ``title:`` (``ti:``),
``abstract:`` (``abs:``) and an arXiv id on its own. Everything else (FTS operators,
brackets, NUL bytes, very long input) is reduced to plain words before it reaches a
database; each backend turns the terms into its own match expression.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from paperfeed.sources.ids import InvalidArxivId, parse_arxiv_id

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64

# Very common English words: dropped from OR queries (they match nearly every row
# and cost time without helping the ranking). Kept inside quoted phrases.
_STOPWORDS = """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves"""
STOPWORDS = frozenset(_STOPWORDS.split())

_WORD = re.compile(r"\w+", re.UNICODE)
_TOKEN = re.compile(
    r"(?P<field>(?:author|au|title|ti|abstract|abs):)?"
    r'(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))',
    re.IGNORECASE,
)
_FIELDS = {"author": "authors", "au": "authors", "title": "title", "ti": "title"}
_FIELDS |= {"abstract": "abstract", "abs": "abstract"}


@dataclass
class ParsedQuery:
    """A user query reduced to safe parts: each term is a tuple of words."""

    terms: list[tuple[str | None, tuple[str, ...], bool]] = field(default_factory=list)
    arxiv_id: str | None = None

    @property
    def empty(self) -> bool:
        return not self.terms and self.arxiv_id is None

    @property
    def fielded(self) -> bool:
        """Restricted to a field (``author:``, ``title:``, ``abstract:``) or an id: the
        meaning of the text cannot honour the restriction, so only keywords answer."""
        return self.arxiv_id is not None or any(column for column, _, _ in self.terms)


def clean_query(text: str) -> str:
    text = (text or "")[: MAX_QUERY_CHARS * 4]
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return text[:MAX_QUERY_CHARS].strip()


def parse_query(text: str) -> ParsedQuery:
    """Split a user query into (column or None, words, is_prefix) terms."""
    text = clean_query(text)
    parsed = ParsedQuery()
    if not text:
        return parsed
    try:
        parsed.arxiv_id = parse_arxiv_id(text).id
        return parsed
    except InvalidArxivId:
        pass
    if text.count('"') % 2:
        text = text.replace('"', " ")
    seen: set[tuple[str | None, tuple[str, ...], bool]] = set()
    for match in _TOKEN.finditer(text):
        column = _FIELDS.get((match.group("field") or "").rstrip(":").lower())
        if match.group("phrase") is not None:
            phrase = tuple(w.lower() for w in _WORD.findall(match.group("phrase")))
            candidates = [(column, phrase, False)] if phrase else []
        else:
            raw = match.group("word")
            prefix = raw.endswith("*")
            words = [w.lower() for w in _WORD.findall(raw)]
            candidates = []
            for i, word in enumerate(words):
                is_prefix = prefix and i == len(words) - 1 and len(word) >= 2
                if column is None and not is_prefix and word in STOPWORDS:
                    continue
                candidates.append((column, (word,), is_prefix))
        for term in candidates:
            if term not in seen:
                seen.add(term)
                parsed.terms.append(term)
    if not parsed.terms:  # nothing but stopwords: search them after all
        for word in _WORD.findall(text.lower())[:MAX_TERMS]:
            term = (None, (word,), False)
            if term not in seen:
                seen.add(term)
                parsed.terms.append(term)
    parsed.terms = parsed.terms[:MAX_TERMS]
    return parsed
