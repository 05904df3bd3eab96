"""Dates as people read them: one helper for tables, headings and spreadsheets.

Chinese readers write a day as 12月7日 周一 and a month as 2026年11月; the English
interface keeps ISO dates (2026-12-07) as its users expect. Tables, page
headings and the .xlsx exports all take their wording from here, so a sheet
never prints 2026-12-07 beside 2026年11月.
"""

import functools
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, pgettext_lazy

# Short weekday names, Monday first (date.weekday() order): 周一 … 周日.
WEEKDAYS = (
    pgettext_lazy("short weekday", "Mon"),
    pgettext_lazy("short weekday", "Tue"),
    pgettext_lazy("short weekday", "Wed"),
    pgettext_lazy("short weekday", "Thu"),
    pgettext_lazy("short weekday", "Fri"),
    pgettext_lazy("short weekday", "Sat"),
    pgettext_lazy("short weekday", "Sun"),
)


def _is_chinese(language: str | None) -> bool:
    return (language or "").lower().startswith("zh")


def _chinese() -> bool:
    return _is_chinese(get_language())


def _as_date(value) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, date):
        return value
    return None


def weekday(value) -> str:
    """周一 … 周日 (Mon … Sun)."""
    day = _as_date(value)
    return "" if day is None else str(WEEKDAYS[day.weekday()])


def day_label(value, *, year: bool | None = None, with_weekday: bool = True) -> str:
    """12月7日 周一 (2026年12月7日 周一 in another year; Mon 2026-12-07 in English).

    `year`: None shows it only when the day is not in the current year.
    """
    day = _as_date(value)
    if day is None:
        return ""
    if year is None:
        year = day.year != timezone.localdate().year
    return _day_text(day, year, with_weekday, get_language())


@functools.lru_cache(maxsize=4096)
def _day_text(day: date, year: bool, with_weekday: bool, language: str | None) -> str:
    """day_label's text of `day` in `language` (the active one): the same for
    every table that shows that day, so it is worked out once per process."""
    if _is_chinese(language):
        text = formats.date_format(day, "DATE_FORMAT" if year else "MONTH_DAY_FORMAT")
        return f"{text} {WEEKDAYS[day.weekday()]}" if with_weekday else text
    text = day.isoformat()
    return f"{WEEKDAYS[day.weekday()]} {text}" if with_weekday else text


def month_label(value) -> str:
    """2026年11月 (2026-11 in English)."""
    day = _as_date(value)
    if day is None:
        return ""
    if _chinese():
        return formats.date_format(day, "YEAR_MONTH_FORMAT")
    return day.strftime("%Y-%m")


def datetime_label(value) -> str:
    """2026年12月7日 14:05 (2026-12-07 14:05 in English), for text in a sheet or a line."""
    if not isinstance(value, datetime):
        return day_label(value, year=True, with_weekday=False)
    at = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{day_label(at, year=True, with_weekday=False)} {at:%H:%M}"


def _local(value: datetime) -> datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def moment_label(value, *, year: bool | None = None) -> str:
    """12月7日 周一 14:30 (2026-12-07 14:30 in English): a date-time in a table or heading.

    A plain date gets its day label; `year` as in day_label.
    """
    if not isinstance(value, datetime):
        return day_label(value, year=year)
    at = _local(value)
    if _chinese():
        return f"{day_label(at, year=year)} {at:%H:%M}"
    return f"{at:%Y-%m-%d %H:%M}"


def iso_day(value) -> str:
    """2026-12-07: the full day for a machine or a tooltip, whatever the language."""
    day = _as_date(value)
    return "" if day is None else day.isoformat()


def iso_moment(value) -> str:
    """2026-12-07 14:30 in the current time zone (a plain date: 2026-12-07)."""
    if not isinstance(value, datetime):
        return iso_day(value)
    return f"{_local(value):%Y-%m-%d %H:%M}"


def day_html(value, *, year: bool | None = None) -> SafeString | str:
    """The day label in a <time> whose title keeps the full date (the label may hide the year)."""
    day = _as_date(value)
    if day is None:
        return ""
    iso = day.isoformat()
    label = conditional_escape(day_label(day, year=year))
    # The label escaped, the ISO day digits and dashes only.
    return mark_safe(f'<time datetime="{iso}" title="{iso}">{label}</time>')


def moment_html(value, *, year: bool | None = None) -> SafeString | str:
    """The date-time label in a <time> whose title keeps the full date and time."""
    iso = iso_moment(value)
    if iso == "":
        return ""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        iso.replace(" ", "T"),
        iso,
        moment_label(value, year=year),
    )


def xlsx_date_format() -> str:
    """The number format of a date cell: the day stays a real (sortable) date."""
    return 'yyyy"年"m"月"d"日"' if _chinese() else "yyyy-mm-dd"


def xlsx_datetime_format() -> str:
    return 'yyyy"年"m"月"d"日" hh:mm' if _chinese() else "yyyy-mm-dd hh:mm"


def xlsx_month_format() -> str:
    return 'yyyy"年"m"月"' if _chinese() else "yyyy-mm"
