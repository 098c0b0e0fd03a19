"""The in-memory windows a batch answers "how many in the last N days" from."""

from datetime import UTC, datetime, timedelta

from services.learning.domain.timeline import Moments, Timeline

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def test_windows_are_half_open_like_the_queries_they_replace() -> None:
    timeline = Timeline()
    for n, site in [(0, "s1"), (1, "s2"), (2, "s1"), (3, "s3")]:
        timeline.add(day(n), f"e{n}", site)
    assert timeline.count(day(0), day(2)) == 2  # (0, 2]: e1, e2
    assert timeline.event_ids(day(0), day(2)) == ["e1", "e2"]
    assert timeline.count(day(-1), day(3)) == 4
    assert timeline.per_site(day(-1), day(2)) == {"s1": 2, "s2": 1}
    assert timeline.count(day(3), day(3)) == 0
    assert timeline.count(day(5), day(1)) == 0  # an empty span, not a negative count


def test_events_added_out_of_order_are_kept_in_time_order_with_ties_by_id() -> None:
    timeline = Timeline()
    timeline.add(day(2), "b")
    timeline.add(day(1), "z")
    timeline.add(day(2), "a")
    assert timeline.event_ids(day(0), day(2)) == ["z", "a", "b"]
    assert timeline.event_ids(day(1), day(2)) == ["a", "b"]


def test_moments_answer_whether_anything_happened_after_a_time() -> None:
    moments = Moments()
    assert not moments.any_after(day(0))
    moments.add(day(3))
    moments.add(day(1))
    assert moments.any_after(day(2))
    assert not moments.any_after(day(3))
