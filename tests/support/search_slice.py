"""Helpers for tests that use the search tests' indexed 300-paper slice."""

from __future__ import annotations

from paperfeed.catalogue.models import Paper

SIGN_LANGUAGE = "2503.12451"  # ISLR101: an Iranian word-level sign language dataset


def a_paper(corpus: dict[str, int], index: int) -> Paper:
    """The slice's paper at ``index`` in id order."""
    return Paper.objects.get(id=sorted(corpus.values())[index])
