"""Threads kept for the life of a process, made again in a child after a fork.

A hybrid search runs its vector half on another thread with a database connection of
its own. A thread (and connection) made per search cost more than the overlap saved:
a new PostgreSQL connection starts with empty catalogue caches, and hybrid search at a
million papers went from p50 40 to 89 ms. Pool threads keep their connections as
request threads do (``CONN_MAX_AGE``). A forked child (a server's worker processes)
has none of its parent's threads, so it starts its own on first use.

:meth:`ProcessPool.close` runs ``on_close`` on each thread before it ends (closing
that thread's database connections: a test database cannot be dropped while they
are open) and waits for them.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

_STOP = object()


class ProcessPool:
    def __init__(self, workers: int, name: str, on_close: Callable[[], Any]) -> None:
        self.workers = workers
        self.name = name
        self.on_close = on_close
        self._forget()
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        """Start empty (in a forked child: the parent's threads are gone, and its lock
        may have been held)."""
        self._lock = threading.Lock()
        self._tasks: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._idle = 0

    def submit(self, fn: Callable[..., T], *args: Any) -> Future[T]:
        future: Future[T] = Future()
        with self._lock:
            self._tasks.put((future, fn, args))
            if self._idle:
                self._idle -= 1
            elif len(self._threads) < self.workers:
                thread = threading.Thread(
                    target=self._work,
                    args=(self._tasks,),
                    name=f"{self.name}-{len(self._threads)}",
                    daemon=True,
                )
                self._threads.append(thread)
                thread.start()
        return future

    def _work(self, tasks: queue.SimpleQueue[Any]) -> None:
        while True:
            task = tasks.get()
            if task is _STOP:
                self.on_close()
                return
            future, fn, args = task
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(fn(*args))
                except BaseException as error:
                    future.set_exception(error)
            with self._lock:
                if threading.current_thread() in self._threads:  # not closed meanwhile
                    self._idle += 1

    def close(self) -> None:
        """End every thread, each after its ``on_close``; the next submit starts anew."""
        with self._lock:
            threads, self._threads, self._idle = self._threads, [], 0
            for _ in threads:
                self._tasks.put(_STOP)  # after any task still waiting
            self._tasks = queue.SimpleQueue()
        for thread in threads:
            thread.join()
