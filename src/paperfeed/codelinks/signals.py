"""What code links tell the rest of the site.

``stars_changed`` is sent after a star refresh with ``paper_stars``: a dict of paper
id -> (stars, stars gained this week) of its best-growing GitHub repository, for
every paper whose repositories were refreshed. The community app receives it and
stores the totals with the paper's community state; code links know nothing of who
listens.
"""

from django.dispatch import Signal

stars_changed = Signal()
