"""Trending: which papers are getting attention now."""
