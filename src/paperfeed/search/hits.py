from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Hit:
    """One search result. ``score`` orders results within one answer (higher is
    better); ranks say where each method placed the paper (1-based, None if absent)."""

    paper_id: int
    arxiv_id: str
    score: float
    keyword_rank: int | None = None
    semantic_rank: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"id": self.arxiv_id, "score": round(float(self.score), 6)}
