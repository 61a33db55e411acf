"""torch.autograd.profiler's older spelling of fastgrad.profiler: `profile(enabled=True, ...)`
and `record_function`."""
from ..profiler.recording import profile as _profile
from ..profiler.recording import record_function  # noqa: F401


class profile(_profile):
    """`with fastgrad.autograd.profiler.profile() as prof:`; `enabled=False` records nothing."""

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False, with_flops=False,
                 profile_memory=False, with_stack=False, with_modules=False, use_kineto=False, use_cpu=True,
                 experimental_config=None, acc_events=False, custom_trace_id_callback=None):
        if not use_cpu:
            raise NotImplementedError("profile: use_cpu=False is not supported (fastgrad's profiler records host time)")
        super().__init__(record_shapes=record_shapes, profile_memory=profile_memory, with_stack=with_stack,
                         with_flops=with_flops, with_modules=with_modules, acc_events=acc_events,
                         use_cuda=use_cuda or use_device not in (None, "cpu"))
        self.enabled = bool(enabled)

    def start(self):
        if self.enabled:
            super().start()

    def stop(self):
        if self.enabled:
            super().stop()

    def table(self, *args, **kwargs):
        """The events' table (prof.table() is the older spelling of prof.events().table())."""
        return self.events().table(*args, **kwargs)

    def __str__(self):
        return self.table()
