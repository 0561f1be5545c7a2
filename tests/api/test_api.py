"""The JSON API: endpoints, paging, filters, bad parameters, unknown ids, OpenAPI."""

from __future__ import annotations

import datetime as dt

import pytest
from openapi_spec_validator import validate

from paperfeed.catalogue.models import NEWEST_FIRST, Paper
from tests.support.corpus import OLD_STYLE_ID

pytestmark = pytest.mark.django_db


def test_papers_list_pages_through_everything(client, corpus):
    body = client.get("/api/papers?limit=200").json()
    total = Paper.objects.count()
    assert body["count"] == total and body["limit"] == 200 and body["page"] == 1
    assert len(body["results"]) == 200 and body["previous"] is None
    assert body["next"] == "http://testserver/api/papers?limit=200&page=2"
    seen = [p["arxiv_id"] for p in body["results"]]
    page = 2
    while body["next"]:
        body = client.get(f"/api/papers?limit=200&page={page}").json()
        seen += [p["arxiv_id"] for p in body["results"]]
        page += 1
    assert len(seen) == len(set(seen)) == total
    assert body["pages"] == page - 1


def test_paper_fields(client, corpus):
    first = client.get("/api/papers?limit=1").json()["results"][0]
    paper = Paper.objects.order_by(*NEWEST_FIRST).first()
    assert first["arxiv_id"] == paper.arxiv_id
    assert first["title"] == paper.title
    assert first["announced"] == paper.announced.isoformat()
    assert first["primary_category"] == paper.primary_category_id
    assert first["authors"] == [
        a.author.name for a in paper.authorships.select_related("author").order_by("position")
    ]
    assert first["url"] == f"http://testserver/papers/{paper.arxiv_id}"


def test_filters_by_date_and_category(client, corpus):
    body = client.get("/api/papers?date=2025-03-19&category=cs.CV&limit=200").json()
    expected = Paper.objects.filter(announced=dt.date(2025, 3, 19), primary_category_id="cs.CV")
    assert body["count"] == expected.count() > 0
    assert {p["arxiv_id"] for p in body["results"]} == set(
        expected.values_list("arxiv_id", flat=True)
    )
    assert client.get("/api/papers?date=2025-03-22").json()["count"] == 0


@pytest.mark.parametrize(
    "query, where",
    [
        ("date=2025-02-30", "date"),
        ("date=tomorrow", "date"),
        ("limit=201", "limit"),
        ("limit=0", "limit"),
        ("page=-1", "page"),
        ("page=x", "page"),
        ("category=" + "c" * 100, "category"),
    ],
)
def test_bad_parameters_are_400_json_with_a_message(client, corpus, query, where):
    response = client.get(f"/api/papers?{query}")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith(f"{where}:")


def test_unknown_category_is_400(client, corpus):
    response = client.get("/api/papers?category=xx.YY")
    assert response.status_code == 400
    assert response.json() == {"detail": "unknown category 'xx.YY'"}


def test_one_paper_with_versions(client, corpus):
    body = client.get("/api/papers/0704.0001").json()
    assert body["doi"] == "10.1103/PhysRevD.76.013009"
    assert body["journal_ref"] == "Phys.Rev.D76:013009,2007"
    assert [v["version"] for v in body["versions"]] == [1, 2]
    assert body["versions"][0]["submitted"].startswith("2007-04-02")
    assert client.get("/api/papers/0704.0001v2").json()["arxiv_id"] == "0704.0001"


def test_old_style_id(client, corpus):
    response = client.get(f"/api/papers/{OLD_STYLE_ID}")
    assert response.status_code == 200
    assert response.json()["arxiv_id"] == OLD_STYLE_ID
    assert response.json()["categories"] == ["astro-ph"]


def test_unknown_and_malformed_ids(client, corpus):
    response = client.get("/api/papers/2101.99999")
    assert response.status_code == 404
    assert response.json() == {"detail": "paper 2101.99999 is not in this catalogue"}
    bad = client.get("/api/papers/not-an-id")
    assert bad.status_code == 400 and "not an arXiv id" in bad.json()["detail"]


def test_days(client, corpus):
    body = client.get("/api/days").json()
    assert body["count"] == 9
    assert body["days"][0] == {
        "date": "2025-03-28",
        "count": Paper.objects.filter(announced=dt.date(2025, 3, 28)).count(),
    }
    assert sum(d["count"] for d in body["days"]) == 2000


def test_trending(client, corpus):
    body = client.get("/api/trending?window=week&limit=10").json()
    assert body["window"] == "week"
    assert (body["first_day"], body["last_day"]) == ("2025-03-22", "2025-03-28")
    assert len(body["results"]) == 10
    dates = [p["announced"] for p in body["results"]]
    assert dates == sorted(dates, reverse=True)
    bad = client.get("/api/trending?window=year")
    assert bad.status_code == 400 and bad.json()["detail"].startswith("window:")
    assert client.get("/api/trending?limit=999").status_code == 400


def test_openapi_schema_validates(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    paths = set(schema["paths"])
    assert {"/api/papers", "/api/papers/{arxiv_id}", "/api/days", "/api/trending"} <= paths


def test_docs_page_uses_only_local_assets(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert '"validatorUrl": null' in html
