"""Two supervisors writing one summary's commentary at once: the second save is
refused with what the first wrote, and keeps its input."""

import pytest
from django.test import Client
from django.urls import reverse

from reports import services
from reports.models import MonthlyPatrolSummary
from tests import factories as f
from tests.reports.conftest import OCTOBER
from tests.support.forms import page_post

pytestmark = pytest.mark.django_db


def opened(user, summary):
    client = Client()
    client.force_login(user)
    return client, client.get(summary.get_absolute_url()).context["commentary_form"]


def test_a_stale_commentary_save_is_refused_with_the_colleagues_text(october, unit_a, supervisor_a):
    summary = services.summary_build(unit_id=unit_a.pk, month=OCTOBER).summary
    colleague = f.make_user("supervisor", unit_a, username="sup_a2", full_name="郑主管")
    url = reverse("reports:monthly_commentary", args=[summary.pk])
    first, first_form = opened(supervisor_a, summary)
    second, second_form = opened(colleague, summary)

    saved = second.post(url, page_post(second_form, commentary="回访及时。") | {"action": "save"})
    assert saved.status_code == 302

    refused = first.post(url, page_post(first_form, commentary="本月平稳。") | {"action": "save"})
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "郑主管" in text and "在您打开表单后保存了此记录" in text and "回访及时。" in text
    assert MonthlyPatrolSummary.objects.get(pk=summary.pk).commentary == "回访及时。"
    assert refused.context["commentary_form"]["commentary"].value() == "本月平稳。"
