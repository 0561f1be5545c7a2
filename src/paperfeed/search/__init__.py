"""Search and similar papers: embeddings, keyword index, vector index, fusion.

Entry points for other apps: :func:`paperfeed.search.hybrid.search` and
:func:`paperfeed.search.similar.similar`.
"""
