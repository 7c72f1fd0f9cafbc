"""Time left from the stages' measured rates (issue 23, item 10), on a fake clock."""

import pytest

from labelreview.core.run_clock import RunClock, load_rates, remember_rates, split_left


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def run(clock, rates, stages, seen):
    """Run ``stages`` ((name, seconds, reports)) on the fake clock; ``seen`` gets (elapsed, seconds left said,
    fraction, message) of each report."""
    timer = RunClock(lambda fraction, message: seen.append((clock.now, timer.seconds_left, fraction, message)),
                     {name: 1000 for name, _, _ in stages}, rates, clock=clock)
    for name, seconds, reports in stages:
        report = timer.stage(name)
        report(0.0, "starting")
        clock.now += 1.0  # a start-up the stage's own rate leaves out (loading a network)
        for step in range(1, reports + 1):
            clock.now += (seconds - 1.0) / reports
            report(step / reports, f"{step}/{reports}")
    return timer


def test_time_left_follows_each_stages_rate_not_fixed_shares():
    """"about 0:05 left" at 0:20 of a 0:48 run: a long stage after a short one was planned at a fixed share.
    Rates remembered from the last run plan the stages ahead; the stage under way is timed by its own rate."""
    clock, seen = FakeClock(), []
    stages = [("embed:lite0", 20.0, 20), ("folds:lite0", 25.0, 5), ("analysis", 3.0, 1)]
    rates = {"embed:lite0": 0.02, "folds:lite0": 0.025, "analysis": 0.003}  # as measured: 20 s, 25 s, 3 s
    run(clock, rates, stages, seen)
    total = clock.now
    assert seen[0][1:] == (48.0, 0.0, "starting, about 0:48 left")  # planned at the remembered rates
    for now, left, fraction, _ in seen[1:]:
        assert left == pytest.approx(total - now, abs=1.5)  # within the one-second start-up of a stage
        assert fraction == pytest.approx(now / total, abs=0.05)
    assert [f for _, _, f, _ in seen] == sorted(f for _, _, f, _ in seen)  # the bar never goes back


def test_a_stage_slower_than_planned_is_timed_by_its_own_rate():
    """608 of 10,000 images into a 3-minute embedding said "33%, about 0:29 left"."""
    clock, seen = FakeClock(), []
    stages = [("embed:lite0", 181.0, 100), ("analysis", 3.0, 1)]
    run(clock, {"embed:lite0": 0.01, "analysis": 0.003}, stages, seen)  # planned at 10 s: 18 times too fast
    now, left, _, message = next(report for report in seen if report[0] >= 19)
    assert left == pytest.approx(184 - now, rel=0.1) and message.endswith(", about 2:45 left")


def test_measured_rates_are_remembered_for_the_next_run(monkeypatch, tmp_path):
    monkeypatch.setenv("LABELREVIEW_CACHE_DIR", str(tmp_path))  # no rates of other tests' runs
    clock = FakeClock()
    timer = run(clock, {}, [("embed:lite0", 20.0, 4), ("folds:cnn", 10.0, 2)], [])
    measured = timer.measured()
    assert measured == pytest.approx({"embed:lite0": 0.02, "folds:cnn": 0.01})
    remember_rates(measured)
    remember_rates({"analysis": 0.5})
    assert load_rates() == pytest.approx({"embed:lite0": 0.02, "folds:cnn": 0.01, "analysis": 0.5})


def test_only_stages_that_report_are_timed_and_rates_fall_back_to_shorter_names(monkeypatch, tmp_path):
    """A stage that never reports was booked the time before the next one's first report (the cluster's upload
    counted as nearest neighbours) and remembered; ``folds:cnn:cluster`` fell back to ``folds``, not
    ``folds:cnn``."""
    monkeypatch.setenv("LABELREVIEW_CACHE_DIR", str(tmp_path))
    clock = FakeClock()
    work = {"neighbours": 5000, "folds:cnn:cluster": 5000, "analysis": 5000}
    timer = RunClock(lambda fraction, message: None, work, {"folds:cnn": 0.002}, clock=clock)
    assert timer.rates == {"neighbours": 5e-05, "folds:cnn:cluster": 0.002, "analysis": 5e-05}
    clock.now = 30.0  # the upload: no stage reports it
    timer.stage("folds:cnn:cluster")(0.5, "fold 1/2")
    clock.now = 40.0
    timer.stage("analysis")(0.0, "finding label issues")
    clock.now = 45.0
    assert timer.measured() == pytest.approx({"folds:cnn:cluster": 0.002, "analysis": 0.001})


def test_the_time_left_said_is_read_back():
    assert split_left("fold 2/5: epoch 1/4, about 1:05 left") == ("fold 2/5: epoch 1/4", 65.0)
    assert split_left("opening, about 1:00:05 left") == ("opening", 3605.0)
    assert split_left("decoding images 10/20") == ("decoding images 10/20", None)
