"""Collections: a reader's named lists of papers, private or public, each with an
Atom feed (feedgen) and a BibTeX export. A private list's feed is reachable only
with its signed key (feed readers carry no session)."""

from __future__ import annotations

import datetime as dt
import unicodedata

from django import forms
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from feedgen.feed import FeedGenerator

from paperfeed.accounts.models import display_name
from paperfeed.accounts.rates import limit
from paperfeed.catalogue.bibtex import bibtex
from paperfeed.catalogue.models import Paper
from paperfeed.community import listing
from paperfeed.community.models import Collection, CollectionItem
from paperfeed.community.permissions import reader_required

FEED_SALT = "paperfeed.community.collection-feed"


def clean_name(value: str) -> str:
    """A collection name as stored, whichever way it arrives (the form, or
    ``save_paper``'s ``new_name``): whitespace folded, no control characters (a NUL
    would fail PostgreSQL and corrupt feeds), 1 to 120 characters."""
    if any(unicodedata.category(c) == "Cc" for c in value.replace("\t", " ")):
        raise ValidationError("A collection name cannot hold control characters.")
    name = " ".join(value.split())
    if not name:
        raise ValidationError("A collection needs a name.")
    if len(name) > 120:
        raise ValidationError("A collection name has at most 120 characters.")
    return name


class CollectionForm(forms.ModelForm):
    class Meta:
        model = Collection
        fields = ["name", "description", "public"]

    def clean_name(self) -> str:
        return clean_name(self.cleaned_data["name"])

    def clean_description(self) -> str:
        text = self.cleaned_data["description"]
        if any(unicodedata.category(c) == "Cc" for c in text.replace("\t", " ")):
            raise ValidationError("The description cannot hold control characters.")
        return text


def feed_key(collection: Collection) -> str:
    return signing.dumps([collection.pk, collection.feed_key_version], salt=FEED_SALT)


def _key_opens(collection: Collection, key: str) -> bool:
    try:
        value = signing.loads(key, salt=FEED_SALT)
    except signing.BadSignature:
        return False
    if value == [collection.pk, collection.feed_key_version]:
        return True
    # Keys from before keys carried a version: good until the first rotation.
    return collection.feed_key_version == 0 and value == collection.pk


def _visible(request, pk: int) -> Collection:
    collection = get_object_or_404(Collection.objects.select_related("owner__profile"), pk=pk)
    if collection.public or collection.owner_id == request.user.pk:
        return collection
    if _key_opens(collection, request.GET.get("key", "")):
        return collection
    raise Http404("No such collection")


def _saved(collection: Collection) -> list[tuple[Paper, dt.datetime]]:
    """The collection's visible papers, most recently saved first, each with when it
    was saved (the feed's entry dates)."""
    ordered = list(collection.items.order_by("-added_at").values_list("paper_id", "added_at"))
    papers = {p.pk: p for p in listing.card_queryset().filter(pk__in=[pk for pk, _ in ordered])}
    return [(papers[pk], added) for pk, added in ordered if pk in papers]


def _papers(collection: Collection) -> list[Paper]:
    return [paper for paper, _ in _saved(collection)]


@never_cache
@reader_required
@require_http_methods(["GET", "POST"])
def collection_list(request):
    form = CollectionForm(request.POST or None)
    if request.method == "POST":
        if (response := limit(request, "collection")) is not None:
            return response
        if form.is_valid():
            collection = form.save(commit=False)
            collection.owner = request.user
            try:
                with transaction.atomic():
                    collection.save()
            except IntegrityError:
                form.add_error("name", "You already have a collection with this name.")
            else:
                return redirect("community:collection", pk=collection.pk)
    collections = Collection.objects.filter(owner=request.user)
    return render(
        request,
        "community/collections.html",
        {"form": form, "collections": collections},
        status=400 if form.errors else 200,
    )


@never_cache
def collection_detail(request, pk: int):
    collection = _visible(request, pk)
    owner = collection.owner_id == request.user.pk
    feed_url = reverse("community:collection-feed", args=[collection.pk])
    bib_url = reverse("community:collection-bibtex", args=[collection.pk])
    if not collection.public:
        feed_url += f"?key={feed_key(collection)}"
        bib_url += f"?key={feed_key(collection)}"
    return render(
        request,
        "community/collection.html",
        {
            "collection": collection,
            "papers": _papers(collection),
            "owner": owner,
            "owner_name": display_name(collection.owner),
            "feed_url": feed_url,
            "bib_url": bib_url,
            "form": CollectionForm(instance=collection) if owner else None,
        },
    )


@require_POST
@reader_required
def collection_edit(request, pk: int):
    collection = get_object_or_404(Collection, pk=pk, owner=request.user)
    if (response := limit(request, "collection")) is not None:
        return response
    if request.POST.get("action") == "delete":
        collection.delete()
        return redirect("community:collections")
    if request.POST.get("action") == "rotate-key":
        # A new feed link for a private list; the one given out before stops working.
        Collection.objects.filter(pk=collection.pk).update(
            feed_key_version=F("feed_key_version") + 1
        )
        return redirect("community:collection", pk=collection.pk)
    form = CollectionForm(request.POST, instance=collection)
    if not form.is_valid():
        return HttpResponseBadRequest("invalid collection")
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        return HttpResponseBadRequest("You already have a collection with this name.")
    return redirect("community:collection", pk=collection.pk)


@require_POST
@reader_required
def save_paper(request, arxiv_id: str):
    """Add a paper to (or with action=remove, take it out of) one of your collections;
    ``new_name`` creates the collection on the way."""
    paper = get_object_or_404(Paper, arxiv_id=arxiv_id)
    if (response := limit(request, "collection")) is not None:
        return response
    new_name = request.POST.get("new_name", "")
    if new_name.strip():
        try:
            new_name = clean_name(new_name)
        except ValidationError as exc:
            return HttpResponseBadRequest(exc.messages[0])
        collection, _ = Collection.objects.get_or_create(owner=request.user, name=new_name)
    else:
        pk = request.POST.get("collection", "")
        if not pk.isdigit():
            return HttpResponseBadRequest("choose a collection")
        collection = get_object_or_404(Collection, pk=int(pk), owner=request.user)
    if request.POST.get("action") == "remove":
        CollectionItem.objects.filter(collection=collection, paper=paper).delete()
    else:
        try:
            with transaction.atomic():
                CollectionItem.objects.create(collection=collection, paper=paper)
        except IntegrityError:
            pass  # already in the list
    collection.save(update_fields=["updated_at"])
    if request.POST.get("next") == "collection":
        return redirect("community:collection", pk=collection.pk)
    return redirect("web:paper", arxiv_id=paper.arxiv_id)


def collection_feed(request, pk: int):
    collection = _visible(request, pk)
    saved = _saved(collection)[:100]
    page_url = request.build_absolute_uri(reverse("community:collection", args=[collection.pk]))
    feed = FeedGenerator()
    feed.id(page_url)
    feed.title(f"{collection.name} — a paperfeed collection")
    feed.author({"name": display_name(collection.owner)})
    feed.link(href=page_url, rel="alternate")
    feed.subtitle(collection.description or f"Papers saved to {collection.name}")
    feed.updated(collection.updated_at)
    for paper, added in reversed(saved):  # feedgen prepends: add oldest first
        entry = feed.add_entry()
        url = request.build_absolute_uri(reverse("web:paper", args=[paper.arxiv_id]))
        entry.id(url)
        entry.title(paper.title)
        entry.link(href=url)
        entry.updated(added)
        entry.summary(paper.abstract or paper.title)
        for author in listing.as_card(paper).author_refs[:20]:
            entry.author({"name": author.name})
    return HttpResponse(
        feed.atom_str(pretty=True), content_type="application/atom+xml; charset=utf-8"
    )


def collection_bibtex(request, pk: int):
    collection = _visible(request, pk)
    entries = [bibtex(paper, listing.as_card(paper).author_refs) for paper in _papers(collection)]
    response = HttpResponse(
        "\n\n".join(entries) + "\n", content_type="application/x-bibtex; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="collection-{collection.pk}.bib"'
    return response
