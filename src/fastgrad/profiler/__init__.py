"""fastgrad.profiler: where the time of a training step goes, op by op, as torch.profiler shows it.

    with fastgrad.profiler.profile(record_shapes=True) as prof:
        with fastgrad.profiler.record_function("step"):
            loss = loss_fn(model(x), y); loss.backward(); opt.step()
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=10))

recording.py holds `profile`, `record_function`, `schedule` and the trace handlers;
events.py the events, their averages and the printed table.
"""
from .events import EventList, FunctionEvent, FunctionEventAvg
from .recording import (ProfilerAction, ProfilerActivity, profile, record_function, schedule,
                        tensorboard_trace_handler)

__all__ = ["profile", "record_function", "schedule", "tensorboard_trace_handler", "ProfilerActivity",
           "ProfilerAction", "EventList", "FunctionEvent", "FunctionEventAvg"]
