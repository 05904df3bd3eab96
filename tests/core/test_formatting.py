import pytest
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


def test_times_show_in_shanghai_time_the_chinese_way():
    import datetime

    from django.conf import settings

    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.CELERY_TIMEZONE == "Asia/Shanghai"
    utc_morning = datetime.datetime(2026, 11, 23, 6, 5, tzinfo=datetime.UTC)
    with translation.override("zh-hans"):
        assert render("{{ t }}", t=utc_morning) == "2026年11月23日 14:05"
        assert render("{{ t|date:'SHORT_DATETIME_FORMAT' }}", t=utc_morning) == "2026-11-23 14:05"
        assert render("{{ d|date:'YEAR_MONTH_FORMAT' }}", d=utc_morning) == "2026年11月"


def test_chinese_dates_are_accepted_as_typed_and_shown_as_iso_in_date_inputs():
    import datetime

    from django import forms

    class Form(forms.Form):
        day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
        at = forms.DateTimeField()

    with translation.override("zh-hans"):
        for typed in ("2026-01-05", "2026/1/5", "2026.01.05", "2026年1月5日", "2026年01月05日"):
            form = Form({"day": typed, "at": "2026年1月5日 09:30"})
            assert form.is_valid(), (typed, form.errors)
            assert form.cleaned_data["day"] == datetime.date(2026, 1, 5), typed
            assert form.cleaned_data["at"].hour == 9
        assert 'value="2026-11-23"' in str(
            Form(initial={"day": datetime.date(2026, 11, 23)})["day"]
        )
    with translation.override("en"):
        assert 'value="2026-11-23"' in str(
            Form(initial={"day": datetime.date(2026, 11, 23)})["day"]
        )


def test_a_datetime_local_input_is_read_in_shanghai_time():
    import datetime

    from django import forms

    class Form(forms.Form):
        at = forms.DateTimeField()

    with translation.override("zh-hans"):
        form = Form({"at": "2026-11-23T14:05"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["at"].astimezone(datetime.UTC).hour == 6


@pytest.mark.django_db
def test_mail_is_dated_in_shanghai_time(staff_a, django_capture_on_commit_callbacks):
    from django.core import mail

    from crm_site.core.services import notify

    staff_a.email = "staff_a@example.com"
    staff_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipient=staff_a, kind="test", title="提醒", email=True)
    assert mail.outbox[0].message()["Date"].endswith("+0800")


def test_help_texts_built_at_import_follow_the_language_of_the_page():
    from complaints.forms import RecordingField

    field = RecordingField()
    with translation.override("en"):
        assert str(field.help_text).startswith("mp3, wav")
    with translation.override("zh-hans"):
        assert "不超过" in str(field.help_text)
