"""Dates and numbers the Chinese way, on top of Django's zh_Hans formats.

Django's own zh_Hans input formats put "%Y/%m/%d" first, so a date field
rendered a value an <input type="date"> cannot show (it wants 2026-11-23),
and its "%Y年%n月%j日" reads the day as a day of the year. Dates typed as
2026-11-23, 2026/11/23, 2026.11.23 or 2026年11月23日 are all accepted here.
"""

DATE_FORMAT = "Y年n月j日"  # 2026年11月23日
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "Y年n月j日 H:i"  # 2026年11月23日 14:05
YEAR_MONTH_FORMAT = "Y年n月"  # 2026年11月
MONTH_DAY_FORMAT = "n月j日"  # 11月23日
SHORT_DATE_FORMAT = "Y-m-d"  # 2026-11-23 (tables, exports)
SHORT_DATETIME_FORMAT = "Y-m-d H:i"  # 2026-11-23 14:05
FIRST_DAY_OF_WEEK = 1  # 星期一

DATE_INPUT_FORMATS = [
    "%Y-%m-%d",  # 2026-11-23 (first: what date inputs render)
    "%Y/%m/%d",  # 2026/11/23
    "%Y.%m.%d",  # 2026.11.23
    "%Y年%m月%d日",  # 2026年11月23日, 2026年1月5日
]
TIME_INPUT_FORMATS = [
    "%H:%M",  # 14:05
    "%H:%M:%S",  # 14:05:09
    "%H:%M:%S.%f",
]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M",  # 2026-11-23 14:05
    "%Y-%m-%dT%H:%M",  # what <input type="datetime-local"> sends
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y-%m-%d %H:%M:%S.%f",
]

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3  # 1,234.50 万元: finance writes amounts in groups of three
