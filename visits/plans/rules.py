"""Planning arithmetic (pure: no ORM, no settings).

`spread()` picks the days of a period a number of contacts should fall on
(evenly over the working days left); `place()` fits one person's wanted
contacts into the planning horizon: at most `capacity` a day, a district's
customers pulled together onto one day, never two contacts of one kind with
one customer on one day, never after the end of the period that asks for them.
"""

from collections import defaultdict
from datetime import date
from typing import NamedTuple

# How many working days ahead a district's later visits may be pulled to join
# a day already spent in that district.
GROUP_WINDOW = 3


def spread(days: list[date], n: int) -> list[date]:
    """`n` days out of `days` (sorted working days), as evenly apart as possible."""
    if n <= 0 or not days:
        return []
    n = min(n, len(days))
    return [days[int((i + 0.5) * len(days) / n)] for i in range(n)]


def uncovered(slots: list[date], covered) -> list[date]:
    """The slots no contact already on the calendar stands for: each of
    `covered` (days) takes the slot nearest to it. The slots come from the
    whole need of the period, so a second run finds the same slots covered
    and plans nothing."""
    if not covered:
        return slots
    left = list(slots)
    for day in sorted(covered):
        if not left:
            break
        nearest = min(range(len(left)), key=lambda i: (abs((left[i] - day).days), i))
        left.pop(nearest)
    return left


def anchor(days: list[date], key: int) -> date | None:
    """A stable day of `days` for a once-per-period contact of customer `key`."""
    return days[key % len(days)] if days else None


class Want(NamedTuple):
    """A contact to place: its customer, ideal day, last allowed day, district."""

    customer: int
    ideal: date
    last: date
    district: int


def place(
    wants: list[Want],
    horizon: list[date],
    *,
    capacity: int,
    used: dict[date, int] | None = None,
    taken: set[tuple[int, date]] | None = None,
    group: bool = True,
) -> list[tuple[int, date]]:
    """(customer, day) for the wants that fit, in horizon order.

    `used` is the day's load already on the calendar, `taken` the (customer,
    day) pairs of this kind already there (updated in place with the new ones). A want whose ideal day is full
    moves to the next day with room (not past its `last` day); on a day that
    serves a district, that district's wants of the next GROUP_WINDOW days
    come along while there is room.
    """
    used = defaultdict(int, used or {})
    taken = set() if taken is None else taken
    pending = sorted(wants, key=lambda w: (w.ideal, w.district, w.customer))
    placed: list[tuple[int, date]] = []
    cursor = 0
    waiting: list[Want] = []
    for i, day in enumerate(horizon):
        while cursor < len(pending) and pending[cursor].ideal <= day:
            waiting.append(pending[cursor])
            cursor += 1
        waiting = [w for w in waiting if w.last >= day]
        room = capacity - used[day]
        if room <= 0 or not waiting:
            continue
        chosen: list[Want] = []
        left: list[Want] = []
        districts: list[int] = []
        for want in waiting:
            if len(chosen) < room and (want.customer, day) not in taken:
                chosen.append(want)
                taken.add((want.customer, day))
                if want.district not in districts:
                    districts.append(want.district)
            else:
                left.append(want)
        waiting = left
        if group and len(chosen) < room and districts:
            ahead = horizon[i + 1 : i + 1 + GROUP_WINDOW]
            if ahead:
                last_ahead = ahead[-1]
                keep = []
                for j in range(cursor, len(pending)):
                    want = pending[j]
                    if want.ideal > last_ahead:
                        keep.extend(pending[j:])
                        break
                    if (
                        len(chosen) < room
                        and want.district in districts
                        and (want.customer, day) not in taken
                    ):
                        chosen.append(want)
                        taken.add((want.customer, day))
                    else:
                        keep.append(want)
                pending = pending[:cursor] + keep
        used[day] += len(chosen)
        placed.extend((w.customer, day) for w in chosen)
    return placed
