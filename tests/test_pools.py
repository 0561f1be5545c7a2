from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from paperfeed.pools import ProcessPool


def test_tasks_run_on_kept_threads_and_return_or_raise():
    closed: list[str] = []

    def on_close() -> None:
        closed.append(threading.current_thread().name)

    pool = ProcessPool(2, "test-pool", on_close=on_close)
    assert pool.submit(lambda a, b: a + b, 2, 3).result(timeout=5) == 5
    with pytest.raises(ZeroDivisionError):
        pool.submit(lambda: 1 / 0).result(timeout=5)
    first = pool.submit(lambda: threading.current_thread().name).result(timeout=5)
    assert first.startswith("test-pool-")
    # Two tasks that wait for each other need two threads at once.
    both = threading.Barrier(2, timeout=5)
    names = [pool.submit(lambda: (both.wait(), threading.current_thread().name)[1]) for _ in "ab"]
    assert len({f.result(timeout=5) for f in names}) == 2
    # Sequential tasks reuse an idle thread: never more than the workers.
    for _ in range(20):
        pool.submit(time.sleep, 0).result(timeout=5)
    assert len(pool._threads) == 2
    pool.close()
    assert sorted(closed) == ["test-pool-0", "test-pool-1"]
    assert pool.submit(lambda: 7).result(timeout=5) == 7  # a closed pool starts anew
    pool.close()
    assert len(closed) == 3


def test_a_forked_child_gets_threads_of_its_own():
    pool = ProcessPool(1, "test-fork", on_close=lambda: None)
    assert pool.submit(os.getpid).result(timeout=5) == os.getpid()
    child = os.fork()
    if child == 0:  # the parent's thread is not here: the pool must start its own
        try:
            ok = pool.submit(os.getpid).result(timeout=5) == os.getpid()
        except BaseException:
            ok = False
        os._exit(0 if ok else 1)
    deadline = time.monotonic() + 20
    while not (ended := os.waitpid(child, os.WNOHANG))[0]:
        if time.monotonic() > deadline:  # e.g. waiting for a thread that is not there
            os.kill(child, signal.SIGKILL)
            os.waitpid(child, 0)
            pytest.fail("the forked child's task never ran")
        time.sleep(0.05)
    assert os.waitstatus_to_exitcode(ended[1]) == 0
    pool.close()
