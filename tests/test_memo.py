"""The bounded table behind paperfeed's per-process caches."""

from __future__ import annotations

from paperfeed.memo import Lru


def fresh(stamp: int) -> bool:
    return stamp == 1


def test_the_least_recently_used_entry_goes_first():
    table: Lru[str, int, str] = Lru(2)
    table.put("a", 1, "A")
    table.put("b", 1, "B")
    assert table.get("a", fresh) == "A"  # now "b" is the oldest
    table.put("c", 1, "C")
    assert table.get("b", fresh) is None
    assert table.get("a", fresh) == "A" and table.get("c", fresh) == "C"
    table.put("d", 2, "D")  # a stale stamp is never returned
    assert table.get("d", fresh) is None


def test_a_byte_budget_drops_the_oldest_until_the_rest_fits():
    table: Lru[str, int, bytes] = Lru(8, weigh=len, budget=100)
    table.put("a", 1, b"x" * 40)
    table.put("b", 1, b"x" * 40)
    assert table.get("a", fresh) is not None  # "b" is now the oldest
    table.put("c", 1, b"x" * 40)  # 120 > 100: the oldest goes
    assert table.get("b", fresh) is None
    assert table.get("a", fresh) is not None and table.get("c", fresh) is not None
    table.put("big", 1, b"x" * 500)  # over the budget alone: kept, everything else goes
    assert table.get("big", fresh) is not None
    assert table.get("a", fresh) is None and table.get("c", fresh) is None
    table.put("e", 1, b"x" * 10)  # then the big one is the oldest, and goes
    assert table.get("big", fresh) is None and table.get("e", fresh) is not None


def test_current_computes_once_per_stamp():
    table: Lru[str, int, list[int]] = Lru(4)
    computed: list[int] = []

    def compute() -> list[int]:
        computed.append(1)
        return [len(computed)]

    first = table.current("k", 1, compute)
    assert table.current("k", 1, compute) is first  # kept while the stamp holds
    assert table.current("k", 2, compute) == [2]  # a new stamp computes again
    assert table.current("k", 2, compute) == [2] and len(computed) == 2
    assert table.current("k", 1, compute) == [3]  # and an old one is not brought back
