"""The monthly summary's supervisor commentary: "待您提交" at home lands on the
commentary form, and the summary page keeps a "填写主管意见" button at hand
that jumps to it (while the supervisor may still write it)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.core import months
from reports import services

pytestmark = pytest.mark.django_db

JUMP = re.compile(r'<a class="btn btn-primary shadow" href="#commentary">.*?填写主管意见</a>', re.S)


@pytest.fixture
def last_month(unit_a, staff_a):
    month = months.shift(months.first_of(timezone.localdate()), -1)
    return services.summary_build(unit_id=unit_a.pk, month=month).summary


def test_awaiting_your_submission_links_to_the_commentary_form(client, supervisor_a, last_month):
    client.force_login(supervisor_a)
    html = client.get(reverse("home")).content.decode()
    link = re.search(r'<a href="([^"]+)"[^>]*>\s*<span class="badge[^"]*">待您提交</span>', html)
    assert link and link.group(1) == f"{last_month.get_absolute_url()}#commentary"


def test_the_summary_page_has_the_commentary_anchor_and_the_jump_button(
    client, supervisor_a, last_month
):
    client.force_login(supervisor_a)
    html = client.get(last_month.get_absolute_url()).content.decode()
    assert re.search(r'<section class="card[^"]*summary-commentary"[^>]*id="commentary"', html)
    assert JUMP.search(html)
    assert html.index('id="commentary"') < html.index('id="commentary-jump"')


def test_no_jump_button_once_submitted_or_for_the_manager(
    client, supervisor_a, manager_a, last_month
):
    client.force_login(manager_a)
    assert not JUMP.search(client.get(last_month.get_absolute_url()).content.decode())
    services.summary_submit(summary=last_month, actor=supervisor_a, commentary="本月走访基本到位。")
    client.force_login(supervisor_a)
    html = client.get(last_month.get_absolute_url()).content.decode()
    assert "本月走访基本到位。" in html and not JUMP.search(html)
    home = client.get(reverse("home")).content.decode()
    assert f'{last_month.get_absolute_url()}#commentary"' not in home
