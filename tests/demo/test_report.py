"""The summary table, the JSON file and the plots, from RunResults built by hand."""
import json
import math

import pytest

from fastgrad.demo import plots
from fastgrad.demo.report import build_report, format_table, write_json
from fastgrad.demo.results import RunResult


def make_run(name="adam", lr=1e-3, accuracies=(0.1, 0.9, 0.96, 0.97), every=10, diverge=False):
    losses = [2.3 / (1 + i) for i in range(every * (len(accuracies) - 1))]
    if diverge:
        losses[-1] = math.inf
    return RunResult(
        optimizer=name, lr=lr, steps=len(losses), losses=losses,
        eval_steps=[every * i for i in range(len(accuracies))], test_accuracy=list(accuracies),
        train_time_s=0.06, wall_time_s=0.08, diverged=diverge,
    )


def test_steps_to_target_is_the_first_evaluation_reaching_it():
    run = make_run(accuracies=(0.1, 0.94, 0.95, 0.93, 0.99))
    assert run.steps_to(0.95) == 20
    assert run.steps_to(0.995) is None
    assert run.final_test_accuracy == 0.99
    assert run.time_per_step_s == pytest.approx(0.06 / 40)


def test_table_has_one_row_per_run_and_the_required_columns():
    runs = [make_run("sgd", 0.1, (0.1, 0.5, 0.8)), make_run("adam")]
    lines = format_table(runs, 0.95).splitlines()
    header = lines[0]
    for column in ("optimizer", "lr", "steps to 95%", "final test acc", "wall time", "time/step"):
        assert column in header
    assert len(lines) == 4
    assert lines[2].split()[0] == "sgd" and "not in 20" in lines[2] and "80.0%" in lines[2]
    adam = lines[3].split()
    assert adam[0] == "adam" and adam[2] == "20" and "97.0%" in lines[3]
    assert "0.08 s" in lines[3] and "2.000 ms" in lines[3]


def test_json_holds_the_numbers_and_is_strict(tmp_path):
    runs = [make_run("adam")]
    sweep = [make_run("sgd", 20.0, diverge=True)]
    report = build_report({"seed": 0}, runs, sweep, ["diverging"], 0.95)
    path = write_json(report, tmp_path / "results.json")
    loaded = json.loads(path.read_text())
    run = loaded["runs"][0]
    assert run["optimizer"] == "adam" and run["steps_to_target"] == 20
    assert run["final_test_accuracy"] == 0.97 and run["eval_steps"] == [0, 10, 20, 30]
    assert len(run["losses"]) == run["steps"] == 30
    diverged = loaded["lr_sensitivity"]["runs"][0]
    assert diverged["diverged"] is True and diverged["losses"][-1] is None
    assert loaded["lr_sensitivity"]["labels"] == ["diverging"]
    assert loaded["environment"]["fastgrad"]
    assert loaded["config"] == {"seed": 0} and loaded["target_accuracy"] == 0.95


def test_smoothing_is_a_trailing_mean_that_keeps_gaps():
    out = plots.smooth([1.0, 3.0, 5.0, math.inf, 7.0], 2)
    assert out[:3].tolist() == [1.0, 2.0, 4.0]
    assert math.isnan(out[3]) and out[4] == 7.0


def test_plots_are_written_as_png(tmp_path):
    pytest.importorskip("matplotlib")
    runs = [make_run("sgd", 0.1, (0.1, 0.5, 0.8)), make_run("adam")]
    sweep = [make_run("sgd", lr) for lr in (0.001, 0.1, 1.5)] + [make_run("sgd", 20.0, diverge=True)]
    paths = plots.write_plots(runs, sweep, ["too small", "good", "too large", "diverging"],
                              str(tmp_path), 0.95)
    assert sorted(p.rsplit("/", 1)[-1] for p in paths) == sorted(plots.PLOT_FILES.values())
    for path in paths:
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n"
