"""A progress bar per training run: tqdm when installed, a plain text line otherwise.

Both take `update(n)` and `set_metrics(**values)` and are context managers.
"""
import sys
import time

from .optional import optional_import


class PlainProgress:
    """A dependency-free progress line on a stream (stderr by default).

    On a terminal the line is redrawn in place at most every `interval`
    seconds; elsewhere (logs, pipes) a line is printed at each quarter.
    """

    def __init__(self, total, desc="", stream=None, interval=0.1):
        self.total, self.desc, self.n = int(total), desc, 0
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = bool(getattr(self.stream, "isatty", lambda: False)())
        self.interval = interval
        self.metrics = {}
        self._last_draw = 0.0
        self._next_quarter = 1
        self._printed_at = None
        self._start = time.perf_counter()

    def line(self):
        width = 24
        done = self.n / self.total if self.total else 1.0
        bar = "#" * int(width * done) + "-" * (width - int(width * done))
        metrics = "  ".join(f"{key} {value:.4g}" for key, value in self.metrics.items())
        elapsed = time.perf_counter() - self._start
        return f"{self.desc:<10} [{bar}] {self.n}/{self.total}  {elapsed:5.1f}s  {metrics}".rstrip()

    def update(self, n=1):
        self.n = min(self.n + n, self.total)
        now = time.perf_counter()
        if self.interactive:
            if now - self._last_draw >= self.interval or self.n == self.total:
                self.stream.write("\r" + self.line())
                self.stream.flush()
                self._last_draw = now
        elif self.total and self.n * 4 >= self._next_quarter * self.total:
            while self.n * 4 >= self._next_quarter * self.total and self._next_quarter <= 4:
                self._next_quarter += 1
            self._print_line()

    def set_metrics(self, **values):
        self.metrics.update(values)

    def _print_line(self):
        self.stream.write(self.line() + "\n")
        self.stream.flush()
        self._printed_at = self.n

    def close(self):
        """End the line on a terminal; in a log, print the final state if not yet printed."""
        if self.interactive:
            self.stream.write("\r" + self.line() + "\n")
            self.stream.flush()
        elif self._printed_at != self.n:
            self._print_line()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class TqdmProgress:
    """The same interface over a tqdm bar."""

    def __init__(self, tqdm_module, total, desc="", stream=None):
        self.bar = tqdm_module.tqdm(total=total, desc=f"{desc:<10}", file=stream, leave=True,
                                    dynamic_ncols=True, mininterval=0.1)

    def update(self, n=1):
        self.bar.update(n)

    def set_metrics(self, **values):
        self.bar.set_postfix({key: f"{value:.4g}" for key, value in values.items()}, refresh=False)

    def close(self):
        self.bar.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class NoProgress:
    """Shows nothing (`--quiet`)."""

    def __init__(self, *args, **kwargs):
        pass

    def update(self, n=1):
        pass

    def set_metrics(self, **values):
        pass

    def close(self):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def progress_bar(total, desc="", kind="auto", stream=None):
    """A progress bar: kind 'auto' (tqdm if installed, else plain), 'tqdm', 'plain' or 'none'."""
    if kind == "none":
        return NoProgress()
    if kind in ("auto", "tqdm"):
        tqdm = optional_import("tqdm")
        if tqdm is not None:
            return TqdmProgress(tqdm, total, desc, stream)
    return PlainProgress(total, desc, stream)
