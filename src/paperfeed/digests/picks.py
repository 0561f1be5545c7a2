"""The "Picked for you" digest section, from the recommender, for subscribers with an
account (registered by DigestsConfig.ready)."""

from __future__ import annotations

from paperfeed.digests.compose import Block, Composer, SectionProvider, register_section
from paperfeed.digests.models import Subscriber
from paperfeed.recommend.picks import picks


def _picked(subscriber: Subscriber, composer: Composer) -> list[Block]:
    if subscriber.user_id is None:
        return []
    period = composer.period
    ids = picks(subscriber.user, period.key, period.first, period.last, subscriber.max_papers)
    return [Block(f"picks:{subscriber.pk}", "Picked for you", tuple(ids))]


def register() -> None:
    register_section(
        SectionProvider("for_you", "Picked for you (needs an account)", _picked, personal=True)
    )
