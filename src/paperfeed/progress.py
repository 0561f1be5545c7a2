"""Progress of long commands (import, harvest, reindex, export, digest send --inline).

On a terminal: a tqdm bar with the count, the rate and the time left. Anywhere else
(a log file, a pipe, cron): a plain line every ``PAPERFEED_PROGRESS_SECONDS`` (30 by
default) and one when the work ends, so logs show that a long run is moving without a
line per item. ``--quiet`` (or ``--verbosity 0``) shows nothing. Progress goes to the
command's standard error, so standard output keeps only results (``export`` writes its
papers there).

This module imports no app, so every app's commands may use it.
"""

from __future__ import annotations

import os
import time
from typing import Any, TextIO

from tqdm import tqdm

PLAIN_WITH_TOTAL = (
    "{desc}: {n_fmt}/{total_fmt}{unit} ({percentage:.0f}%), {rate_fmt}, {remaining} left"
)
PLAIN_WITHOUT_TOTAL = "{desc}: {n_fmt}{unit}, {rate_fmt}"


def add_quiet_argument(parser: Any) -> None:
    """The ``--quiet`` option every long command takes."""
    parser.add_argument("--quiet", action="store_true", help="show no progress")


def _raw(stream: Any) -> TextIO:
    # A management command's OutputWrapper ends every write with a newline; the bar
    # redraws itself with "\r", so it writes to the wrapped stream.
    return getattr(stream, "_out", stream)


class Progress:
    """Counts done units of one piece of work and shows it (see the module's text).

    ``total`` may be unknown (None) or learnt later (``set_total``, e.g. an OAI-PMH
    harvest's list size from its first page)."""

    def __init__(
        self,
        label: str,
        *,
        stream: Any,
        total: int | None = None,
        unit: str = "papers",
        quiet: bool = False,
        every: float | None = None,
        initial: int = 0,
    ) -> None:
        self.label = label
        self.unit = unit
        self.total = total
        self.done = initial
        self.quiet = quiet
        self._stream = _raw(stream)
        self._every = _seconds() if every is None else every
        self._started = time.monotonic()
        self._initial = initial
        self._last_line = self._started
        self._bar: tqdm | None = None
        if not quiet and _isatty(self._stream):
            width = _columns(self._stream)
            self._bar = tqdm(
                ncols=width or 80,  # a terminal that reports no width gets 80 columns
                dynamic_ncols=bool(width),
                total=total,
                initial=initial,
                desc=label,
                unit=f" {unit}",
                file=self._stream,
                smoothing=0.1,
            )

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close(finished=exc[0] is None)

    def set_total(self, total: int | None) -> None:
        self.total = total
        if self._bar is not None and total is not None and self._bar.total != total:
            self._bar.total = total
            self._bar.refresh()

    def advance(self, n: int = 1) -> None:
        self.update(self.done + n)

    def update(self, done: int) -> None:
        """``done`` units are done (an absolute count: callbacks report those)."""
        step, self.done = done - self.done, done
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.update(step)
            return
        now = time.monotonic()
        if now - self._last_line >= self._every:
            self._last_line = now
            self._line(now)

    def report(self, done: int, total: int | None) -> None:
        """A ``progress(done, total)`` callback, as long-running functions take."""
        self.set_total(total)
        self.update(done)

    def write(self, text: str, stream: Any) -> None:
        """A result line on ``stream`` that does not tear the bar."""
        if self._bar is not None:
            self._bar.write(text, file=_raw(stream))
        else:
            _raw(stream).write(text + "\n")

    def close(self, finished: bool = True) -> None:
        if self.quiet:
            return
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif finished:
            self._line(time.monotonic(), final=True)
        self.quiet = True  # closed: nothing more is shown

    def _line(self, now: float, final: bool = False) -> None:
        elapsed = max(now - self._started, 1e-9)
        total = self.total if self.total else None
        text = tqdm.format_meter(
            self.done,
            total,  # type: ignore[arg-type]  # types-tqdm: total=None (unknown length) is allowed
            elapsed,
            prefix=self.label,
            unit=f" {self.unit}",
            rate=(self.done - self._initial) / elapsed,
            bar_format=PLAIN_WITH_TOTAL if total and not final else PLAIN_WITHOUT_TOTAL,
        )
        if final:
            text += f", done in {tqdm.format_interval(elapsed)}"
        self._stream.write(text + "\n")
        self._stream.flush()


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # closed or not a file
        return False


def _columns(stream: Any) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):
        return 0


def _seconds() -> float:
    from django.conf import settings

    return float(settings.PAPERFEED_PROGRESS_SECONDS)


def command_progress(command: Any, label: str, options: dict[str, Any], **kwargs: Any) -> Progress:
    """A Progress on a management command's standard error, quiet with ``--quiet`` or
    ``--verbosity 0``."""
    quiet = bool(options.get("quiet")) or int(options.get("verbosity", 1)) == 0
    return Progress(label, stream=command.stderr, quiet=quiet, **kwargs)
