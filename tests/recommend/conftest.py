"""Recommendation tests that need vectors use the search tests' indexed slice (300
real papers embedded with the real model, once per module)."""

from tests.search.conftest import corpus, embedder  # noqa: F401
