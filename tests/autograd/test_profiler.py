"""fastgrad.profiler: every op and backward step is recorded once, regions nest, the table,
schedule and traces behave as torch.profiler's, and nothing is recorded outside a profile."""
import json
import threading

import numpy as np
import pytest

import fastgrad as fg
from fastgrad import nn
from fastgrad.profiler import (EventList, FunctionEvent, ProfilerAction, ProfilerActivity, profile,
                               record_function, schedule, tensorboard_trace_handler)
from fastgrad.profiler.events import nest


def _counts(prof):
    return {e.key: e.count for e in prof.key_averages()}


def test_every_op_and_backward_step_is_counted():
    x = fg.randn(4, 3, requires_grad=True)
    with profile() as prof:
        for _ in range(3):
            y = (x * 2.0).exp().sum()
            y.backward()
    counts = _counts(prof)
    assert counts["mul"] == counts["exp"] == counts["sum"] == 3
    assert counts["MulBackward"] == counts["ExpBackward"] == counts["SumBackward"] == 3


def test_nothing_is_recorded_outside_a_profile_and_the_hook_is_cleared():
    x = fg.randn(3)
    with profile() as prof:
        x + 1
    x * 2  # after the block: not recorded
    assert _counts(prof) == {"add": 1}
    with pytest.raises(ZeroDivisionError):
        with profile():
            1 / 0
    with profile() as again:  # the failed block stopped its profiler: a new one may start
        x - 1
    assert _counts(again) == {"sub": 1}


def test_region_self_time_excludes_the_ops_inside():
    x = fg.randn(50, 50)
    with profile() as prof:
        with record_function("region"):
            x @ x
            x + x
    region = next(e for e in prof.events() if e.name == "region")
    inside = [e for e in prof.events() if e.name in ("matmul", "add")]
    assert {c.name for c in region.children} == {"matmul", "add"}
    assert region.self_cpu_time_total == pytest.approx(region.cpu_time_total - sum(e.cpu_time_total for e in inside))
    assert all(e.start_ns >= region.start_ns and e.end_ns <= region.end_ns for e in inside)


def _event(name, start, end, thread=1, memory=0, shapes=()):
    return FunctionEvent(name, start, end, thread, shapes, memory)


def test_nesting_and_averages_from_known_times():
    # region [0, 10 us] holds a [1, 4] and b [5, 9]; b holds a [6, 7]; c on another thread overlaps.
    events = nest([_event("region", 0, 10_000), _event("a", 1_000, 4_000, memory=8), _event("b", 5_000, 9_000),
                   _event("a", 6_000, 7_000, memory=8), _event("c", 0, 2_000, thread=2)])
    by = {(e.name, e.start_ns): e for e in events}
    assert by["region", 0].self_cpu_time_total == pytest.approx(3.0)
    assert by["b", 5_000].self_cpu_time_total == pytest.approx(3.0)
    assert by["region", 0].cpu_memory_usage == 16 and by["region", 0].self_cpu_memory_usage == 0
    averages = {e.key: e for e in EventList(events).key_averages()}
    assert averages["a"].count == 2 and averages["a"].cpu_time_total == pytest.approx(4.0)
    assert averages["a"].cpu_time == pytest.approx(2.0)
    assert averages["c"].self_cpu_time_total == pytest.approx(2.0)
    assert EventList(events).self_cpu_time_total == pytest.approx(12.0)   # 10 us of thread 1, 2 of thread 2


def test_table_columns_sorting_and_limits():
    events = EventList(nest([_event("slow", 0, 3_000_000), _event("fast", 4_000_000, 4_000_500)]))
    table = events.key_averages().table(sort_by="self_cpu_time_total", row_limit=1)
    lines = table.splitlines()
    assert lines[1].split() == ["Name", "Self", "CPU", "%", "Self", "CPU", "CPU", "total", "%", "CPU", "total",
                                "CPU", "time", "avg", "#", "of", "Calls"]
    assert "slow" in table and "fast" not in table
    assert "3.000ms" in lines[3] and "99.98%" in lines[3]
    assert lines[-1] in ("Self CPU time total: 3.000ms", "Self CPU time total: 3.001ms")  # 3000.5 us
    rows = events.key_averages().table(sort_by="count").splitlines()[3:5]
    assert {r.split()[0] for r in rows} == {"slow", "fast"}
    with pytest.raises(ValueError, match="sort_by='cpu_tme'"):
        events.table(sort_by="cpu_tme")


def test_shapes_and_memory_are_recorded_when_asked():
    x, w = fg.randn(8, 5), fg.randn(5, 2)
    with profile(record_shapes=True, profile_memory=True) as prof:
        x @ w
    (mm,) = [e for e in prof.events() if e.name == "matmul"]
    assert mm.input_shapes == [[8, 5], [5, 2]]
    assert mm.self_cpu_memory_usage == 8 * 2 * 4
    table = prof.key_averages(group_by_input_shape=True).table()
    assert "[[8, 5], [5, 2]]" in table and "CPU Mem" in table and "64 B" in table
    with profile() as plain:
        x @ w
    assert plain.events()[0].input_shapes == [] and "CPU Mem" not in plain.key_averages().table()


def test_optimizer_steps_are_labelled_as_pytorch_labels_them():
    model = nn.Linear(3, 2)
    opt = fg.optim.SGD(model.parameters(), lr=0.1)
    with profile() as prof:
        model(fg.randn(4, 3)).sum().backward()
        opt.step()
        opt.zero_grad()
    counts = _counts(prof)
    assert counts["Optimizer.step#SGD.step"] == 1 and counts["Optimizer.zero_grad#SGD.zero_grad"] == 1


def test_record_function_as_decorator_and_outside_a_profile():
    @record_function("helper")
    def helper(t):
        return t * 3

    x = fg.ones(2)
    np.testing.assert_array_equal(helper(x).numpy(), [3.0, 3.0])  # no profile: runs as it is
    with profile() as prof:
        helper(x)
    (region,) = [e for e in prof.events() if e.name == "helper"]
    assert [c.name for c in region.children] == ["mul"]
    with pytest.raises(TypeError, match="record_function: argument 'name'"):
        record_function(3)


def test_ops_of_other_threads_are_recorded_with_their_thread():
    x = fg.randn(3)
    with profile() as prof:
        worker = threading.Thread(target=lambda: x.exp())
        worker.start()
        worker.join()
        x.log1p()
    threads = {e.name: e.thread for e in prof.events()}
    assert threads["exp"] != threads["log1p"] == threading.get_ident()


@pytest.mark.filterwarnings("ignore:Profiler won.t be using warmup")
@pytest.mark.parametrize("kwargs", [dict(wait=1, warmup=1, active=2), dict(wait=0, warmup=0, active=1, repeat=3),
                                    dict(wait=2, warmup=1, active=3, repeat=2, skip_first=3),
                                    dict(wait=2, warmup=1, active=1, skip_first_wait=1)])
def test_schedule_gives_pytorchs_actions(kwargs):
    torch = pytest.importorskip("torch")
    theirs = torch.profiler.schedule(**kwargs)
    ours = schedule(**kwargs)
    assert [ours(i).name for i in range(25)] == [theirs(i).name for i in range(25)]


def test_schedule_records_its_active_steps_and_hands_each_cycle_over(tmp_path):
    x = fg.ones(2)
    handed = []

    def ready(prof):
        handed.append((prof.step_num, sorted(e.name for e in prof.events() if e.kind == "user"),
                       _counts(prof).get("exp")))

    with profile(schedule=schedule(wait=1, warmup=1, active=2, repeat=2), on_trace_ready=ready) as prof:
        for _ in range(10):
            x.exp()
            prof.step()
    assert handed == [(4, ["ProfilerStep#2", "ProfilerStep#3"], 2), (8, ["ProfilerStep#6", "ProfilerStep#7"], 2)]
    assert schedule(wait=0, warmup=0, active=1)(0) is ProfilerAction.RECORD_AND_SAVE
    with pytest.raises(ValueError, match="schedule: argument 'active'"):
        schedule(wait=1, warmup=1, active=0)


def test_a_recording_in_progress_is_handed_over_at_exit():
    handed = []
    with profile(on_trace_ready=handed.append) as prof:
        fg.ones(2).exp()
    assert handed == [prof] and _counts(prof) == {"exp": 1}


def test_chrome_trace_and_tensorboard_handler_write_json(tmp_path):
    x = fg.randn(4, requires_grad=True)
    with profile(record_shapes=True, on_trace_ready=tensorboard_trace_handler(str(tmp_path / "tb"),
                                                                               worker_name="w0")) as prof:
        with record_function("step"):
            x.exp().sum().backward()
    path = tmp_path / "trace.json"
    prof.export_chrome_trace(str(path))
    trace = json.loads(path.read_text())["traceEvents"]
    assert {e["name"] for e in trace} == {"step", "exp", "sum", "SumBackward", "ExpBackward"}
    assert all(e["ph"] == "X" and e["dur"] >= 0 and e["ts"] >= 0 for e in trace)
    assert next(e for e in trace if e["name"] == "exp")["args"] == {"Input Dims": [[4]]}
    (written,) = (tmp_path / "tb").iterdir()
    assert written.name.startswith("w0.") and written.name.endswith(".pt.trace.json")
    assert len(json.loads(written.read_text())["traceEvents"]) == 5


def test_refusals_name_the_option():
    with pytest.raises(NotImplementedError, match="with_stack=True"):
        profile(with_stack=True)
    with pytest.raises(NotImplementedError, match="with_flops=True"):
        profile(with_flops=True)
    with pytest.raises(TypeError, match="activities"):
        profile(activities=["cpu"])
    with pytest.warns(UserWarning, match="CUDA"):
        profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA])
    with profile():
        with pytest.raises(RuntimeError, match="already recording"):
            profile().start()
    with pytest.raises(RuntimeError, match="not running"):
        profile().step()


def test_autograd_profiler_spelling():
    x = fg.ones(3)
    with fg.autograd.profiler.profile() as prof:
        x * 2
    assert _counts(prof) == {"mul": 1} and "mul" in prof.table()
    with fg.autograd.profiler.profile(enabled=False) as off:
        x * 2
    assert off.events() == []


def test_same_op_names_count_as_pytorch_counts_its_steps():
    torch = pytest.importorskip("torch")

    def step(lib):
        lib.manual_seed(0)
        model = lib.nn.Linear(3, 2)
        opt = lib.optim.Adam(model.parameters())
        with lib.profiler.profile() as prof:
            for _ in range(2):
                opt.zero_grad()
                model(lib.ones(4, 3)).sum().backward()
                opt.step()
        return {e.key: e.count for e in prof.key_averages() if e.key.startswith("Optimizer.")}

    assert step(fg) == step(torch)
