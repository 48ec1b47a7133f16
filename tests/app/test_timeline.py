"""The Timeline (step, range, play/pause, speed, clamping) and the Player's timer that moves it."""
import pytest
from models import playground_model, race_model

from valley.app.model.player import MIN_INTERVAL_MS, Player, timer_plan
from valley.app.model.timeline import Timeline
from valley.core.limits import SPEED
from valley.core.scene import NetworkSpec


@pytest.fixture
def timeline(qapp):
    t = Timeline()
    t.set_last(50)
    return t


@pytest.fixture
def player(timeline):
    p = Player(timeline)
    yield p
    p.stop()


@pytest.mark.parametrize("speed", [1, 7, 30, 60, 61, 100, 250, 500])
def test_timer_plan_plays_the_asked_speed(speed):
    interval, per_tick = timer_plan(speed)
    assert interval >= MIN_INTERVAL_MS - 1
    assert per_tick * 1000.0 / interval == pytest.approx(speed, rel=0.07)
    if 1000 / speed >= MIN_INTERVAL_MS:
        assert per_tick == 1


def test_step_forward_back_home_end_and_clamping(timeline):
    seen = []
    timeline.stepChanged.connect(seen.append)
    timeline.step_forward()
    timeline.step_forward()
    timeline.step_back()
    assert timeline.step == 1
    timeline.home()
    timeline.step_back()  # already at 0: no signal
    timeline.end()
    timeline.step_forward()  # already at the end: no signal
    timeline.set_step(-7)
    assert seen == [1, 2, 1, 0, 50, 0]


def test_a_shorter_range_pulls_the_step_back_and_says_so(timeline):
    timeline.set_step(40)
    ranges, steps = [], []
    timeline.rangeChanged.connect(ranges.append)
    timeline.stepChanged.connect(steps.append)
    timeline.set_last(30)
    timeline.set_last(30)
    assert (ranges, steps, timeline.step) == ([30], [30], 30)
    timeline.set_last(60)  # a longer run keeps the step where it is
    assert timeline.step == 30


def test_play_runs_to_the_end_and_stops(qtbot, timeline, player):
    timeline.set_step(45)
    timeline.set_speed(SPEED.hi)
    changes = []
    timeline.playingChanged.connect(changes.append)
    timeline.play()
    assert player.timer.isActive()
    qtbot.waitUntil(lambda: not timeline.playing, timeout=3000)
    assert timeline.step == timeline.last
    assert changes == [True, False]
    assert not player.timer.isActive()


def test_play_at_the_end_starts_over(timeline, player):
    timeline.set_step(timeline.last)
    timeline.play()
    assert timeline.step == 0 and timeline.playing
    timeline.pause()


def test_speed_is_clamped_and_faster_slower_walk_presets(timeline):
    timeline.set_speed(10_000)
    assert timeline.speed == SPEED.hi
    timeline.set_speed(0)
    assert timeline.speed == SPEED.lo
    timeline.faster()
    assert timeline.speed == 2
    timeline.set_speed(30)
    timeline.slower()
    assert timeline.speed == 20


def test_the_race_and_the_playground_each_keep_their_own_timeline(qapp):
    race = race_model()
    playground = playground_model(NetworkSpec(hidden=[2], samples=20), steps=12)
    assert race.timeline is not playground.timeline
    assert playground.timeline.last == 12
    assert race.timeline.last == max(len(t.points) - 1 for t in race.trajectories)
    race.timeline.set_step(5)
    playground.timeline.set_step(3)
    assert (race.step, playground.step) == (5, 3)


def test_a_rerun_that_stops_earlier_clamps_the_race_timeline(qapp):
    race = race_model()
    race.timeline.end()
    before = race.timeline.last
    race.set_steps(max(1, before // 2))
    assert race.timeline.last == race.step == before // 2
