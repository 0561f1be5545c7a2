"""Search filters, applied inside each ranking (never by trimming a ranked list)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from paperfeed.catalogue.models import Paper


@dataclass(frozen=True)
class Filters:
    """``categories``: codes such as ``cs.CL`` (any listed category of the paper
    matches), or an archive such as ``cs`` for all its categories. Dates bound the
    announcement (listing) date, both ends inclusive."""

    categories: tuple[str, ...] = field(default_factory=tuple)
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def __post_init__(self) -> None:
        if isinstance(self.categories, str):
            object.__setattr__(self, "categories", (self.categories,))
        cleaned = tuple(c.strip() for c in self.categories if c and c.strip())
        object.__setattr__(self, "categories", cleaned)

    @property
    def empty(self) -> bool:
        return not self.categories and self.date_from is None and self.date_to is None

    def sql(self, paper_alias: str) -> tuple[str, list[object]]:
        """A condition (starting with `` AND``) on the catalogue paper table."""
        parts: list[str] = []
        params: list[object] = []
        if self.date_from is not None:
            parts.append(f"{paper_alias}.announced >= %s")
            params.append(self.date_from)
        if self.date_to is not None:
            parts.append(f"{paper_alias}.announced <= %s")
            params.append(self.date_to)
        if self.categories:
            through = Paper.categories.through._meta.db_table
            exact = [c for c in self.categories if "." in c]
            archives = [c for c in self.categories if "." not in c]
            ors: list[str] = []
            if exact:
                ors.append(f"pc.category_id IN ({', '.join(['%s'] * len(exact))})")
                params.extend(exact)
            for archive in archives:
                ors.append("(pc.category_id = %s OR pc.category_id LIKE %s)")
                params.extend([archive, archive.replace("%", "").replace("_", "") + ".%"])
            parts.append(
                f"EXISTS (SELECT 1 FROM {through} pc WHERE pc.paper_id = {paper_alias}.id"
                f" AND ({' OR '.join(ors)}))"
            )
        return ("".join(f" AND {p}" for p in parts), params)

    def paper_ids(self) -> list[int]:
        """All papers passing the filters (used to restrict vector search)."""
        from django.db import connection

        where, params = self.sql("p")
        table = Paper._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT p.id FROM {table} p WHERE 1=1{where}", params)
            return [row[0] for row in cursor.fetchall()]
