"""The website: daily feed, trending, paper, category, author and search pages, Atom feeds."""
