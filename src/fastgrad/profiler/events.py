"""What a profile holds: one FunctionEvent per op, backward step or labelled region, and the
per-name averages of `key_averages()`, printed by `EventList.table()` as PyTorch's profiler
prints them.

Times are kept in nanoseconds and shown in microseconds (the unit of PyTorch's attributes).
An event's self time is its time less that of the events directly inside it on its thread
(ops inside a `record_function` region, a backward step's ops under create_graph).
"""
from collections import defaultdict


class FunctionEvent:
    """One recorded interval: an op's forward (its name: "add", "matmul", ...), a backward
    step ("MatMulBackward"), or a region named by `record_function`."""

    def __init__(self, name, start_ns, end_ns, thread, input_shapes=(), memory=0, kind="op", key=None):
        self.name = name
        self.key = name if key is None else key   # what key_averages groups by
        self.start_ns, self.end_ns = start_ns, end_ns
        self.thread = thread
        self.input_shapes = list(input_shapes)
        self.kind = kind                 # "op", "backward" or "user" (a record_function region)
        self.self_memory = memory        # bytes of the op's output
        self.children = []
        self.count = 1

    @property
    def cpu_time_total(self):
        """Microseconds from start to end."""
        return (self.end_ns - self.start_ns) / 1e3

    @property
    def self_cpu_time_total(self):
        """Microseconds not spent in events directly inside this one."""
        return self.cpu_time_total - sum(c.cpu_time_total for c in self.children)

    cpu_time = cpu_time_total

    @property
    def cpu_memory_usage(self):
        """Bytes of the outputs made by this event and the events inside it."""
        return self.self_memory + sum(c.cpu_memory_usage for c in self.children)

    @property
    def self_cpu_memory_usage(self):
        return self.self_memory

    # No device time is recorded (fastgrad's profiler times the host).
    device_time_total = self_device_time_total = cuda_time_total = self_cuda_time_total = 0.0

    def __repr__(self):
        return (f"<FunctionEvent {self.name!r} cpu_time_total={self.cpu_time_total:.3f}us "
                f"self_cpu_time_total={self.self_cpu_time_total:.3f}us input_shapes={self.input_shapes}>")


def nest(events):
    """Give each event its direct children: the events of its thread inside its interval."""
    by_thread = defaultdict(list)
    for e in events:
        e.children = []
        by_thread[e.thread].append(e)
    for thread_events in by_thread.values():
        thread_events.sort(key=lambda e: (e.start_ns, -e.end_ns))
        open_events = []
        for e in thread_events:
            while open_events and open_events[-1].end_ns <= e.start_ns:
                open_events.pop()
            if open_events and e.end_ns <= open_events[-1].end_ns:
                open_events[-1].children.append(e)
            open_events.append(e)
    return events


class FunctionEventAvg:
    """The events of one name (and input shapes, when grouped by them), summed."""

    def __init__(self, key, input_shapes=None):
        self.key = self.name = key
        self.input_shapes = input_shapes
        self.count = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0
        self.cpu_memory_usage = self.self_cpu_memory_usage = 0

    def add(self, e):
        self.count += e.count
        self.cpu_time_total += e.cpu_time_total
        self.self_cpu_time_total += e.self_cpu_time_total
        self.cpu_memory_usage += e.cpu_memory_usage
        self.self_cpu_memory_usage += e.self_cpu_memory_usage
        return self

    @property
    def cpu_time(self):
        """Average microseconds per call."""
        return self.cpu_time_total / self.count if self.count else 0.0

    @property
    def self_cpu_time(self):
        return self.self_cpu_time_total / self.count if self.count else 0.0

    device_time_total = self_device_time_total = cuda_time_total = self_cuda_time_total = 0.0
    device_time = cuda_time = 0.0

    def __repr__(self):
        return (f"<FunctionEventAvg {self.key!r} count={self.count} cpu_time_total={self.cpu_time_total:.3f}us "
                f"self_cpu_time_total={self.self_cpu_time_total:.3f}us>")


# sort_by keys PyTorch accepts; the device ones read 0 here (no device time is recorded).
_SORT_KEYS = {"cpu_time", "cpu_time_total", "self_cpu_time_total", "count", "cpu_memory_usage",
              "self_cpu_memory_usage", "device_time", "device_time_total", "self_device_time_total",
              "cuda_time", "cuda_time_total", "self_cuda_time_total", "device_memory_usage",
              "self_device_memory_usage", "cuda_memory_usage", "self_cuda_memory_usage"}


class EventList(list):
    """A list of events (FunctionEvent, or FunctionEventAvg from key_averages) with PyTorch's
    `table()`, `key_averages()` and `total_average()`."""

    def __init__(self, events=(), profile_memory=False, grouped_by_shape=False):
        super().__init__(events)
        self._profile_memory = profile_memory
        self._grouped_by_shape = grouped_by_shape

    @property
    def self_cpu_time_total(self):
        """Microseconds: the sum of every event's self time (the whole of the time recorded)."""
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0):
        """One FunctionEventAvg per event name (and per list of input shapes with
        group_by_input_shape; the shapes are recorded with profile(record_shapes=True))."""
        if group_by_stack_n:
            raise NotImplementedError("key_averages: group_by_stack_n is not supported (fastgrad's profiler "
                                      "records no stacks)")
        groups = {}
        for e in self:
            shapes = str(e.input_shapes) if group_by_input_shape else None
            key = (e.key, shapes)
            if key not in groups:
                groups[key] = FunctionEventAvg(e.key, shapes)
            groups[key].add(e)
        return EventList(groups.values(), self._profile_memory, group_by_input_shape)

    def total_average(self):
        """One FunctionEventAvg summing every event."""
        total = FunctionEventAvg("Total")
        for e in self:
            total.add(e)
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False):
        """The events as PyTorch's profiler prints them: one row per event (per name after
        key_averages()), sorted by `sort_by` (descending), at most `row_limit` rows."""
        if sort_by is not None and sort_by not in _SORT_KEYS:
            raise ValueError(f"table: sort_by={sort_by!r} is not a column; expected one of {sorted(_SORT_KEYS)}")
        return format_table(self, sort_by, row_limit, max_name_column_width, max_shapes_column_width, header,
                            top_level_events_only)

    def __str__(self):
        return self.table()


def _time(us):
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def _bytes(n):
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if abs(n) >= size:
            return f"{n / size:.2f} {unit}"
    return f"{n} B"


def _percent(part, whole):
    return f"{100.0 * part / whole:.2f}%" if whole else "0.00%"


def _cut(text, width):
    return text if len(text) <= width else text[:width - 3] + "..."


def format_table(events, sort_by, row_limit, name_width, shapes_width, header, top_level_only):
    rows = list(events)
    if top_level_only:
        inner = {id(c) for e in rows for c in getattr(e, "children", ())}
        rows = [e for e in rows if id(e) not in inner]
    if sort_by is not None:
        rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
    total_self = sum(e.self_cpu_time_total for e in events)
    shown = rows[:row_limit] if row_limit is not None and row_limit >= 0 else rows
    columns = [("Self CPU %", lambda e: _percent(e.self_cpu_time_total, total_self)),
               ("Self CPU", lambda e: _time(e.self_cpu_time_total)),
               ("CPU total %", lambda e: _percent(e.cpu_time_total, total_self)),
               ("CPU total", lambda e: _time(e.cpu_time_total)),
               ("CPU time avg", lambda e: _time(e.cpu_time_total / e.count if e.count else 0.0))]
    if getattr(events, "_profile_memory", False):
        columns += [("CPU Mem", lambda e: _bytes(e.cpu_memory_usage)),
                    ("Self CPU Mem", lambda e: _bytes(e.self_cpu_memory_usage))]
    columns.append(("# of Calls", lambda e: str(e.count)))
    if getattr(events, "_grouped_by_shape", False):
        columns.append(("Input Shapes", lambda e: _cut(str(e.input_shapes), shapes_width)))
    names = [_cut(e.key, name_width) for e in shown]
    width = max([len("Name")] + [len(n) for n in names])
    widths = [max([len(title)] + [len(f(e)) for e in shown]) for title, f in columns]
    rule = "  ".join(["-" * width] + ["-" * w for w in widths])

    def line(first, cells):
        return "  ".join([first.rjust(width)] + [c.rjust(w) for c, w in zip(cells, widths)])

    out = [header] if header else []
    out += [rule, line("Name", [title for title, _ in columns]), rule]
    out += [line(n, [f(e) for _, f in columns]) for n, e in zip(names, shown)]
    out += [rule, f"Self CPU time total: {_time(total_self)}", ""]
    return "\n".join(out)
