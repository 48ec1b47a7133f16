"""The Player moves session.step only: timer plan, play to the end, step, home, speed."""
import pytest

from valley.app.player import MAX_SPEED, MIN_INTERVAL_MS, Player, timer_plan
from valley.app.session import Session


@pytest.fixture
def session(qapp):
    return Session()


@pytest.fixture
def player(session):
    p = Player(session)
    yield p
    p.stop()


@pytest.mark.parametrize("speed", [1, 7, 30, 60, 61, 100, 250, 500])
def test_timer_plan_plays_the_asked_speed(speed):
    interval, per_tick = timer_plan(speed)
    assert interval >= MIN_INTERVAL_MS - 1
    assert per_tick * 1000.0 / interval == pytest.approx(speed, rel=0.07)
    if 1000 / speed >= MIN_INTERVAL_MS:
        assert per_tick == 1


def test_step_forward_back_home_and_clamping(session, player):
    player.step_forward()
    player.step_forward()
    assert session.step == 2
    player.step_back()
    assert session.step == 1
    player.home()
    assert session.step == 0
    player.step_back()
    assert session.step == 0
    session.set_step(session.max_step)
    player.step_forward()
    assert session.step == session.max_step


def test_play_runs_to_the_end_and_stops(qtbot, session, player):
    session.set_step(session.max_step - 5)
    player.set_speed(MAX_SPEED)
    changes = []
    player.playingChanged.connect(changes.append)
    player.play()
    assert player.playing
    qtbot.waitUntil(lambda: not player.playing, timeout=3000)
    assert session.step == session.max_step
    assert changes == [True, False]


def test_play_at_the_end_starts_over(qtbot, session, player):
    session.set_step(session.max_step)
    player.play()
    assert session.step < 5
    player.pause()


def test_speed_is_clamped_and_faster_slower_walk_presets(player):
    player.set_speed(10_000)
    assert player.speed == MAX_SPEED
    player.set_speed(0)
    assert player.speed == 1
    player.faster()
    assert player.speed == 2
    player.set_speed(30)
    player.slower()
    assert player.speed == 20
