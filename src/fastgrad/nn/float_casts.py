"""FloatCasts: the float(), double() and half() shortcuts of Module and PackedSequence."""
import numpy as np


class FloatCasts:
    """float(), double() and half(): to(float32), to(float64) and to(float16), for a class with a
    `to` method (Module, nn.utils.rnn.PackedSequence)."""
    __slots__ = ()

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def half(self):
        return self.to(np.float16)
