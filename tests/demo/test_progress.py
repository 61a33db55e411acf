"""Progress bars: tqdm when installed, the plain fallback otherwise."""
import io

import pytest

from fastgrad.demo import progress


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_plain_progress_in_a_log_prints_a_line_per_quarter():
    stream = io.StringIO()
    with progress.PlainProgress(8, "adam", stream=stream) as bar:
        for _ in range(8):
            bar.set_metrics(loss=0.5, acc=0.75)
            bar.update(1)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 4
    assert lines[-1].startswith("adam") and "8/8" in lines[-1]
    assert "loss 0.5" in lines[-1] and "acc 0.75" in lines[-1]
    assert "[" + "#" * 24 + "]" in lines[-1]


def test_plain_progress_on_a_terminal_redraws_one_line():
    stream = FakeTerminal()
    with progress.PlainProgress(3, "sgd", stream=stream, interval=0.0) as bar:
        for _ in range(3):
            bar.update(1)
    text = stream.getvalue()
    assert text.count("\n") == 1 and text.count("\r") >= 3
    assert "3/3" in text


def test_plain_progress_in_a_log_ends_with_the_state_where_it_stopped():
    stream = io.StringIO()
    with progress.PlainProgress(100, "lr 20", stream=stream) as bar:
        for _ in range(7):  # a run that stops early, before its first quarter
            bar.update(1)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and "7/100" in lines[0]


def test_plain_progress_never_counts_past_its_total():
    bar = progress.PlainProgress(2, stream=io.StringIO())
    bar.update(5)
    assert bar.n == 2


def test_factory_falls_back_to_plain_without_tqdm(monkeypatch):
    monkeypatch.setattr(progress, "optional_import", lambda name: None)
    assert isinstance(progress.progress_bar(3, kind="auto", stream=io.StringIO()), progress.PlainProgress)
    assert isinstance(progress.progress_bar(3, kind="none"), progress.NoProgress)


def test_factory_uses_tqdm_when_installed():
    pytest.importorskip("tqdm")
    stream = io.StringIO()
    with progress.progress_bar(4, "adam", kind="auto", stream=stream) as bar:
        assert isinstance(bar, progress.TqdmProgress)
        bar.set_metrics(loss=0.25)
        bar.update(4)
    assert "4/4" in stream.getvalue() and "loss=0.25" in stream.getvalue()
