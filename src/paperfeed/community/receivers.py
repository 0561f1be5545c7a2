"""What the community app does when something elsewhere happens (connected in
``CommunityConfig.ready``):

- the catalogue announced new or changed papers: each gets its state row;
- code links announced new star counts: they go into the papers' state;
- a comment was saved or deleted, however (a view, the admin, its author's account
  going): its paper's state moves, so cached pages show the discussion as it is;
- an account is deleted: its votes, submissions, comments and collections go with
  it (foreign keys cascade), and the totals and featured days they fed are counted
  again once it is gone.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import post_delete, post_save, pre_delete

from paperfeed.community import state
from paperfeed.community.models import Comment, Submission

papers_changed = state.on_papers_changed
stars_changed = state.on_stars_changed


def comment_saved(sender, instance: Comment, **kwargs) -> None:
    state.changed([instance.paper_id])


def comment_deleted(sender, instance: Comment, **kwargs) -> None:
    # No new state row here: the comment may be going with its paper.
    state.changed([instance.paper_id], create=False)


def account_deleting(sender, instance, **kwargs) -> None:
    """Before the cascade: note which papers this account voted for or submitted."""
    instance._paperfeed_community = (
        list(instance.votes.values_list("paper_id", flat=True)),
        list(Submission.objects.filter(submitted_by=instance).values_list("paper_id", flat=True)),
    )


def account_deleted(sender, instance, **kwargs) -> None:
    """After the cascade: those papers' vote totals and featured days, recounted."""
    voted, submitted = getattr(instance, "_paperfeed_community", ([], []))
    state.recount_votes(voted)
    for paper_id in submitted:
        state.refresh_feature(paper_id)


def connect_models() -> None:
    post_save.connect(comment_saved, sender=Comment, dispatch_uid="paperfeed.community.comment")
    post_delete.connect(
        comment_deleted, sender=Comment, dispatch_uid="paperfeed.community.comment-deleted"
    )
    user = get_user_model()
    pre_delete.connect(account_deleting, sender=user, dispatch_uid="paperfeed.community.account")
    post_delete.connect(
        account_deleted, sender=user, dispatch_uid="paperfeed.community.account-deleted"
    )
