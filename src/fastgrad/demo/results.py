"""What one training run records, and the numbers derived from it."""
import math
from dataclasses import asdict, dataclass, field


@dataclass
class RunResult:
    """One run of one optimizer: per-step training loss, test accuracy at each evaluation."""

    optimizer: str
    lr: float
    steps: int = 0
    losses: list = field(default_factory=list)          # training loss after each step
    eval_steps: list = field(default_factory=list)      # steps at which the test set was scored
    test_accuracy: list = field(default_factory=list)   # test accuracy at those steps
    train_time_s: float = 0.0                           # time spent in training steps only
    wall_time_s: float = 0.0                            # the whole run, evaluation included
    diverged: bool = False                              # stopped early on a non-finite loss

    def steps_to(self, target):
        """First evaluated step whose test accuracy is >= target, or None."""
        for step, acc in zip(self.eval_steps, self.test_accuracy):
            if acc >= target:
                return step
        return None

    @property
    def final_test_accuracy(self):
        return self.test_accuracy[-1] if self.test_accuracy else float("nan")

    @property
    def final_loss(self):
        return self.losses[-1] if self.losses else float("nan")

    @property
    def time_per_step_s(self):
        return self.train_time_s / self.steps if self.steps else float("nan")

    def to_dict(self, target):
        data = asdict(self)
        data["losses"] = [_finite_or_none(v) for v in self.losses]
        data["steps_to_target"] = self.steps_to(target)
        data["final_test_accuracy"] = _finite_or_none(self.final_test_accuracy)
        data["final_loss"] = _finite_or_none(self.final_loss)
        data["time_per_step_s"] = _finite_or_none(self.time_per_step_s)
        return data


def _finite_or_none(value):
    """JSON has no NaN or infinity: a diverged loss is written as null."""
    return value if value is not None and math.isfinite(value) else None
