"""The digest's "Picked for you": a period's papers ranked for a reader, never one an
earlier digest already picked for them."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from paperfeed.recommend.models import SentPick
from paperfeed.recommend.profile import profile_for
from paperfeed.recommend.rank import recommend


def picks(user, period: str, first: dt.date, last: dt.date, limit: int) -> list[int]:
    """Paper ids for ``user``'s digest of ``period`` (its send-log key), recorded so no
    other period picks them again. Composing the same period twice picks the same."""
    profile = profile_for(user)
    if profile.empty:
        return []
    earlier = set(
        SentPick.objects.filter(user=user).exclude(period=period).values_list("paper_id", flat=True)
    )
    found = recommend(profile, since=first, until=last, limit=limit, exclude=earlier)
    ids = [r.paper_id for r in found]
    for paper_id in ids:
        try:
            with transaction.atomic():
                SentPick.objects.get_or_create(
                    user=user, paper_id=paper_id, defaults={"period": period}
                )
        except IntegrityError:  # recorded meanwhile by another worker
            pass
    return ids
