from __future__ import annotations

import pytest

from paperfeed.batches import IN_LIST, slices


@pytest.mark.parametrize("count", [0, 1, IN_LIST - 1, IN_LIST, IN_LIST + 1, 3 * IN_LIST + 7])
def test_slices_cover_every_item_once_in_order(count):
    items = list(range(count))
    cut = list(slices(items))
    assert [x for part in cut for x in part] == items
    assert all(1 <= len(part) <= IN_LIST for part in cut)
    assert len(cut) == -(-count // IN_LIST)


def test_a_slice_size_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1, not 0"):
        list(slices([1, 2], 0))
