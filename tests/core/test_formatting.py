from django.template import Context, Template
from django.utils import translation


def render(text, **context):
    return Template("{% load crm_format %}" + text).render(Context(context))


def test_amounts_show_in_wan_yuan_with_two_decimals():
    with translation.override("zh-hans"):
        assert render("{{ v|wan }}", v="1234.5") == "1,234.50 万元"
        assert render("{{ v|wan }}", v=None) == "—"


def test_percentages_round_to_one_decimal():
    assert render("{{ v|percent }}", v=0.8765) == "87.7%"
    assert render("{{ v|percent:0 }}", v=1) == "100%"
    assert render("{{ v|percent }}", v=None) == "—"


def test_dates_show_the_chinese_way():
    import datetime

    with translation.override("zh-hans"):
        assert render("{{ d|date }}", d=datetime.date(2026, 11, 23)) == "2026年11月23日"
