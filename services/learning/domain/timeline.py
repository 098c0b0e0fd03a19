"""A keyed run of events in time order, kept in memory while a batch of facts is applied.

The learning rules count what happened "within the last N days" at a site or in a region. A batch
loads the stored events it can need once, then each fact adds itself and asks its questions here,
in memory, instead of querying the database per fact. Windows are half-open, ``(since, until]``,
exactly like the per-fact queries they replace.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

_LAST = "\U0010ffff"  # sorts after every id: (t, _LAST) follows every entry at time t


@dataclass
class Timeline:
    """Events ``(at, event_id, site_id)`` in time order (ties by event id)."""

    entries: list[tuple[datetime, str, str]] = field(default_factory=list)

    def add(self, at: datetime, event_id: str, site_id: str = "") -> None:
        """Record one event (kept in order)."""
        insort(self.entries, (at, event_id, site_id))

    def _span(self, since: datetime, until: datetime) -> tuple[int, int]:
        return (
            bisect_right(self.entries, (since, _LAST)),
            bisect_right(self.entries, (until, _LAST)),
        )

    def count(self, since: datetime, until: datetime) -> int:
        """How many events happened in ``(since, until]``."""
        low, high = self._span(since, until)
        return max(0, high - low)

    def event_ids(self, since: datetime, until: datetime) -> list[str]:
        """Ids of the events in ``(since, until]``, oldest first."""
        low, high = self._span(since, until)
        return [event_id for _, event_id, _ in self.entries[low:high]]

    def per_site(self, since: datetime, until: datetime) -> dict[str, int]:
        """Events per site in ``(since, until]``."""
        low, high = self._span(since, until)
        return dict(Counter(site for _, _, site in self.entries[low:high]))


@dataclass
class Moments:
    """Points in time in order (for example when alerts were raised)."""

    times: list[datetime] = field(default_factory=list)

    def add(self, at: datetime) -> None:
        """Record one moment."""
        insort(self.times, at)

    def any_after(self, since: datetime) -> bool:
        """Whether any moment is later than ``since``."""
        return bool(self.times) and self.times[-1] > since
