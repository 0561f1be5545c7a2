from django.apps import AppConfig

from paperfeed.catalogue.signals import papers_changed


class CodeLinksConfig(AppConfig):
    name = "paperfeed.codelinks"
    label = "codelinks"
    verbose_name = "Code links"

    def ready(self) -> None:
        # Imported here: these modules import models (app-loading constraint).
        from paperfeed.codelinks import panels
        from paperfeed.codelinks.links import on_papers_changed

        papers_changed.connect(on_papers_changed, dispatch_uid="paperfeed.codelinks.extract")
        panels.register()
        _add_code_repository_to_papers()


def _add_code_repository_to_papers() -> None:
    """``paper.code_repository``: what the site's code-link slot shows. Lists that
    know their papers (trending) set it for a whole page in one query; elsewhere it
    is looked up on first use and kept on the instance."""
    from django.utils.functional import cached_property

    # Imported here: models load after the app registry is ready.
    from paperfeed.catalogue.models import Paper

    if "code_repository" in vars(Paper):
        return

    def code_repository(paper):
        from paperfeed.codelinks.links import best_of, primary_repositories

        prefetched = getattr(paper, "prefetched_code_links", None)
        if prefetched is not None:
            return best_of(prefetched)
        return primary_repositories([paper.pk]).get(paper.pk) if paper.pk else None

    prop = cached_property(code_repository)
    prop.__set_name__(Paper, "code_repository")
    Paper.code_repository = prop  # type: ignore[attr-defined]  # mypy: property added to the model at app loading
