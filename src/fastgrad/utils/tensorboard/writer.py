"""SummaryWriter: PyTorch's torch.utils.tensorboard.SummaryWriter for scalars, histograms and text.

    from fastgrad.utils.tensorboard import SummaryWriter
    writer = SummaryWriter()                     # runs/<date>_<host>
    writer.add_scalar("loss/train", loss.item(), step)
    writer.close()                               # then: tensorboard --logdir runs

The event files are written by event_file.py (no TensorBoard or protobuf needed to write them;
TensorBoard itself is needed only to look at them).
"""
import datetime
import os
import socket
import time

import numpy as np

from . import event_file as ev

_WRITTEN = ("add_scalar", "add_scalars", "add_histogram", "add_text")


def _number(op, name, value):
    """A Python float from a number, a NumPy scalar or a one-element Tensor / array."""
    data = getattr(value, "_data", value)
    try:
        array = np.asarray(data, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{op}: argument '{name}' must be a number or a one-element tensor, "
                        f"got {type(value).__name__}") from None
    if array.size != 1:
        raise ValueError(f"{op}: argument '{name}' must hold one number, got shape {array.shape}")
    return float(array.reshape(()))


def _tensorflow_bins():
    """TensorBoard's default bucket edges: +-1e-12 growing by 10% up to 1e20, and 0."""
    edges = 1e-12 * 1.1 ** np.arange(int(np.ceil(np.log(1e32) / np.log(1.1))))
    edges = edges[edges < 1e20]
    return np.concatenate([-edges[::-1], [0.0], edges])


class SummaryWriter:
    """Writes events for TensorBoard into log_dir (default runs/<date>_<host><comment>).

    Events are flushed every max_queue events or flush_secs seconds, at flush() and close().
    purge_step makes TensorBoard drop what an earlier run logged at that step and after.
    add_scalar, add_scalars, add_histogram and add_text are written; PyTorch's other add_*
    methods (images, graphs, embeddings, ...) raise NotImplementedError."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        if log_dir is None:
            stamp = datetime.datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", f"{stamp}_{socket.gethostname()}{comment}")
        self.log_dir = str(log_dir)
        self.purge_step, self.max_queue, self.flush_secs = purge_step, int(max_queue), float(flush_secs)
        self.filename_suffix = filename_suffix
        self._files = {}
        self._pending = 0
        self._last_flush = time.monotonic()
        self._file(self.log_dir)

    def get_logdir(self):
        return self.log_dir

    def _file(self, log_dir):
        if self._files is None:
            raise RuntimeError("SummaryWriter: the writer is closed")
        if log_dir not in self._files:
            f = ev.EventFile(log_dir, self.filename_suffix)
            if self.purge_step is not None:  # SessionLog (7) { status: START (1) } at purge_step
                f.write(ev.event(self.purge_step) + ev.field_bytes(7, ev.field_varint(1, 1)))
            self._files[log_dir] = f
        return self._files[log_dir]

    def _add(self, values, global_step, walltime, log_dir=None):
        step = 0 if global_step is None else int(_number("SummaryWriter", "global_step", global_step))
        self._file(log_dir or self.log_dir).write(ev.event(step, walltime, summary_values=values))
        self._pending += 1
        if self._pending >= self.max_queue or time.monotonic() - self._last_flush >= self.flush_secs:
            self.flush()

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """One value of the curve `tag` at global_step."""
        value = _number("add_scalar", "scalar_value", scalar_value)
        if new_style:
            self._add([ev.tensor_scalar_value(tag, value, double_precision)], global_step, walltime)
        else:
            self._add([ev.scalar_value(tag, value)], global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several curves on one chart: each key of tag_scalar_dict is a run of its own,
        written to <log_dir>/<main_tag>_<key>, under the tag main_tag."""
        if not isinstance(tag_scalar_dict, dict):
            raise TypeError(f"add_scalars: argument 'tag_scalar_dict' must be a dict, got "
                            f"{type(tag_scalar_dict).__name__}")
        for key, value in tag_scalar_dict.items():
            log_dir = os.path.join(self.log_dir, f"{main_tag.replace('/', '_')}_{key}")
            self._add([ev.scalar_value(main_tag, _number("add_scalars", key, value))], global_step, walltime,
                      log_dir)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """The distribution of `values` (any shape): bins='tensorflow' (TensorBoard's default
        exponential buckets), an int, or any of np.histogram's bin rules."""
        data = np.asarray(getattr(values, "_data", values), dtype=np.float64).reshape(-1)
        if data.size == 0:
            raise ValueError("add_histogram: argument 'values' is empty")
        if not np.isfinite(data).all():
            raise ValueError("add_histogram: argument 'values' holds NaN or infinity")
        edges = _tensorflow_bins() if isinstance(bins, str) and bins == "tensorflow" else bins
        counts, edges = np.histogram(data, bins=edges)
        if max_bins is not None and len(counts) > max_bins:
            factor = -(-len(counts) // int(max_bins))
            pad = (-len(counts)) % factor
            counts = np.pad(counts, (0, pad)).reshape(-1, factor).sum(1)
            edges = np.concatenate([edges[::factor], edges[-1:]])[:len(counts) + 1]
        used = np.flatnonzero(counts)
        first, last = used[0], used[-1] + 1  # TensorBoard wants no empty buckets at the ends
        self._add([ev.histogram_value(tag, data.min(), data.max(), data.size, data.sum(), (data * data).sum(),
                                      edges[first + 1:last + 1], counts[first:last])], global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """A piece of text (Markdown) under `tag`."""
        if not isinstance(text_string, str):
            raise TypeError(f"add_text: argument 'text_string' must be a str, got {type(text_string).__name__}")
        self._add([ev.text_value(tag, text_string)], global_step, walltime)

    def __getattr__(self, name):
        if name.startswith("add_"):
            raise NotImplementedError(f"SummaryWriter.{name} is not implemented in fastgrad (it writes "
                                      f"{', '.join(_WRITTEN)})")
        raise AttributeError(f"'SummaryWriter' object has no attribute {name!r}")

    def flush(self):
        for f in (self._files or {}).values():
            f.flush()
        self._pending, self._last_flush = 0, time.monotonic()

    def close(self):
        """Flush and close every file (closing twice is fine)."""
        if self._files is None:
            return
        for f in self._files.values():
            f.close()
        self._files = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
