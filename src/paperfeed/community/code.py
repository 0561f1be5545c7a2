"""Readers and curators add a code repository to a paper (what a reader does to a
paper is the community's; the link itself is made by ``paperfeed.codelinks``)."""

from __future__ import annotations

from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST

from paperfeed.accounts.rates import limit
from paperfeed.catalogue.models import Paper
from paperfeed.codelinks.extract import parse_repository_url
from paperfeed.codelinks.links import link
from paperfeed.codelinks.models import CodeLink
from paperfeed.community.permissions import is_curator, reader_required


@require_POST
@reader_required
def add_code_link(request, arxiv_id: str):
    paper = get_object_or_404(Paper, arxiv_id=arxiv_id)
    if (response := limit(request, "codelink")) is not None:
        return response
    ref = parse_repository_url(request.POST.get("url", "")[:400])
    if ref is None:
        return HttpResponseBadRequest("Give a GitHub, GitLab or Hugging Face repository URL.")
    source = CodeLink.CURATOR if is_curator(request.user) else CodeLink.READER
    link(paper, ref, source, request.user)
    return redirect("web:paper", arxiv_id=paper.arxiv_id)
