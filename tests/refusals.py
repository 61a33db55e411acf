"""One test for a table of bad calls: each (call, error, message) raises `error`, its text
holding `message` and starting as `op_pattern` (a regular expression naming the op) says."""
import pytest


def refusal_test(cases, op_pattern):
    """The test over `cases`; assign it to a module-level test_... name so pytest collects it."""

    @pytest.mark.parametrize("call, error, message", cases, ids=[m for _, _, m in cases])
    def test(call, error, message):
        with pytest.raises(error, match=op_pattern) as info:
            call()
        assert message in str(info.value)

    return test
