"""One date helper for tables, headings and spreadsheets: 12月7日 周一 in Chinese."""

from datetime import UTC, date, datetime

from django.utils import timezone, translation

from crm_site.core import dates, xlsx


def test_a_day_reads_the_chinese_way_with_its_weekday():
    with translation.override("zh-hans"):
        assert dates.day_label(date(2026, 12, 7), year=False) == "12月7日 周一"
        assert dates.day_label(date(2026, 12, 13), year=True) == "2026年12月13日 周日"
        assert dates.day_label(date(2026, 12, 7), year=True, with_weekday=False) == "2026年12月7日"
        assert dates.month_label(date(2026, 11, 1)) == "2026年11月"


def test_the_year_shows_only_for_another_year():
    today = timezone.localdate()
    with translation.override("zh-hans"):
        assert str(today.year) not in dates.day_label(today)
        assert dates.day_label(today.replace(year=today.year - 1)).startswith(f"{today.year - 1}年")


def test_english_keeps_iso_dates():
    with translation.override("en"):
        assert dates.day_label(date(2026, 12, 7), year=True) == "Mon 2026-12-07"
        assert dates.month_label(date(2026, 11, 1)) == "2026-11"


def test_an_aware_datetime_is_read_in_shanghai_time():
    at = datetime(2026, 12, 6, 17, 30, tzinfo=UTC)  # 01:30 on the 7th in Shanghai
    with translation.override("zh-hans"):
        assert dates.day_label(at, year=True, with_weekday=False) == "2026年12月7日"
        assert dates.datetime_label(at) == "2026年12月7日 01:30"


def test_spreadsheet_dates_stay_dates_shown_like_the_tables():
    with translation.override("zh-hans"):
        assert xlsx.localized(xlsx.DATE_FORMAT) == 'yyyy"年"m"月"d"日"'
        assert xlsx.localized(xlsx.DATETIME_FORMAT) == 'yyyy"年"m"月"d"日" hh:mm'
        assert xlsx.format_for(date(2026, 12, 7)) == 'yyyy"年"m"月"d"日"'
        assert xlsx.localized("0.00") == "0.00"
    with translation.override("en"):
        assert xlsx.localized(xlsx.DATE_FORMAT) == "yyyy-mm-dd"


def test_the_template_filters_use_the_helper():
    from django.template import Context, Template

    template = Template('{% load crm_format %}{{ d|day_label:"year" }} · {{ d|month_label }}')
    with translation.override("zh-hans"):
        text = template.render(Context({"d": date(2026, 12, 7)}))
    assert text == "2026年12月7日 周一 · 2026年12月"
