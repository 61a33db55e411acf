"""A check shared by the tests of the grad-mode contexts (no_grad, inference_mode)."""


def assert_decorators_record_nothing(mode, x):
    """`mode` as a decorator, called (@mode()) and bare (@mode): x * 2 inside records nothing."""
    @mode()
    def called(t):
        return t * 2

    @mode
    def bare(t):
        return t * 2

    assert not called(x).requires_grad and not bare(x).requires_grad
