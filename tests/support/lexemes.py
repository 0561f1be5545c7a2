"""A PostgreSQL keyword row's marked lexemes (categories "#cs.CL", blocks "@61")."""

from __future__ import annotations

from django.db import connection


def marked_lexemes(pk: int, mark: str) -> list[str]:
    """The lexemes of paper ``pk``'s keyword row that start with ``mark``, sorted."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.lexeme FROM search_paperfts d, unnest(d.document) u"
            " WHERE d.paper_id = %s AND starts_with(u.lexeme, %s) ORDER BY 1",
            [pk, mark],
        )
        return [row[0] for row in cursor.fetchall()]
