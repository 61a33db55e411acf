"""set_anomaly_enabled, set_deterministic_debug_mode, set_warn_always, set_num_interop_threads,
set_flush_denormal and the has_* flags: the switches take effect where fastgrad has the feature
(anomaly detection, deterministic-algorithm flags) and report what was set elsewhere, as PyTorch's
do; each test restores what it changed."""
import numpy as np
import pytest

import fastgrad as fg
from refusals import refusal_test


def test_anomaly_switch_turns_detection_on_and_off():
    assert fg.is_anomaly_enabled() is False
    try:
        fg.set_anomaly_enabled(True)
        assert fg.is_anomaly_enabled() and fg.is_anomaly_check_nan_enabled()
        assert fg.autograd.is_anomaly_enabled()
        x = fg.tensor([0.0], requires_grad=True)
        with pytest.raises(RuntimeError), np.errstate(divide="ignore"):
            fg.sqrt(x).sum().backward()    # inf in the gradient is reported
        fg.set_anomaly_enabled(True, check_nan=False)
        assert fg.is_anomaly_enabled() and not fg.is_anomaly_check_nan_enabled()
    finally:
        fg.set_anomaly_enabled(False)
    assert fg.is_anomaly_enabled() is False and fg.is_anomaly_check_nan_enabled() is False


def test_deterministic_debug_mode_matches_pytorchs_mapping():
    torch = pytest.importorskip("torch")
    try:
        for mode in ("warn", 2, "default", 1, "error", 0):
            fg.set_deterministic_debug_mode(mode)
            torch.set_deterministic_debug_mode(mode)
            assert fg.get_deterministic_debug_mode() == torch.get_deterministic_debug_mode()
            assert fg.are_deterministic_algorithms_enabled() == torch.are_deterministic_algorithms_enabled()
            assert (fg.is_deterministic_algorithms_warn_only_enabled()
                    == torch.is_deterministic_algorithms_warn_only_enabled())
    finally:
        fg.set_deterministic_debug_mode(0)
        torch.set_deterministic_debug_mode(0)


def test_recorded_switches_report_what_was_set():
    before = fg.get_num_interop_threads()
    try:
        assert before >= 1 and fg.is_warn_always_enabled() is False
        fg.set_warn_always(True)
        fg.set_num_interop_threads(3)
        assert fg.is_warn_always_enabled() is True and fg.get_num_interop_threads() == 3
        assert fg.init_num_threads() is None
    finally:
        fg.set_warn_always(False)
        fg.set_num_interop_threads(before)


def test_flush_denormal_is_refused_and_denormals_stay():
    assert fg.set_flush_denormal(True) is False
    assert fg.set_flush_denormal(False) is True
    tiny = np.finfo(np.float32).tiny / 4
    assert (fg.tensor([tiny]) * 1.0).item() > 0


def test_capability_flags():
    assert fg.has_lapack is True and fg.has_spectral is True
    assert fg.has_mkl == fg.backends.mkl.is_available()
    assert fg.has_openmp == fg.backends.openmp.is_available()


test_refusals = refusal_test([
    (lambda: fg.set_deterministic_debug_mode("sometimes"), RuntimeError, "must be 'default'"),
    (lambda: fg.set_deterministic_debug_mode(3), RuntimeError, "must be 'default'"),
    (lambda: fg.set_warn_always(1), TypeError, "must be a bool"),
    (lambda: fg.set_num_interop_threads(0), RuntimeError, "must be positive"),
], "^(set_deterministic_debug_mode|set_warn_always|set_num_interop_threads)")
