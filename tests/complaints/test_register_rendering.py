"""The filter form's fields rendered in Python (crm_forms filter_field) give the
markup crispy-forms gives for them: labels, classes, the chosen option, the
invalid state and its messages; and list pages read a page and its count in
one round trip (crm_site.core.listing.paged)."""

import re

import pytest
from django.db import connection
from django.template import engines
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from complaints.filters import ComplaintFilter
from complaints.models import Complaint, ComplaintCategory
from crm_site.core import dates
from crm_site.core.listing import paged
from tests import factories as f

pytestmark = pytest.mark.django_db

FIELDS = [
    "q",
    "status",
    "severity",
    "category",
    "channel",
    "unit",
    "responsible_outlet",
    "received_from",
    "received_to",
    "overdue",
    "mine",
]


def normalised(html: str) -> str:
    html = re.sub(r"\s+", " ", html)
    return re.sub(r">\s+|\s+<", lambda m: m.group(0).strip(), html).strip()


def rendered(source: str, form) -> str:
    return engines["django"].from_string(source).render({"f": form})


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "q": "李 <b>",
            "status": "open",
            "severity": "major",
            "overdue": "on",
            "sort": "-deadline",
        },
        {"received_from": "not a date", "unit": "999999", "mine": "on", "category": "x"},
    ],
)
def test_each_field_renders_as_crispy_forms_renders_it(supervisor_a, unit_a, data):
    form = ComplaintFilter(data, user=supervisor_a).form
    form.is_valid()
    for name in FIELDS:
        ours = rendered(f"{{% load crm_forms %}}{{% filter_field f.{name} %}}", form)
        theirs = rendered(f"{{% load crispy_forms_tags %}}{{{{ f.{name}|as_crispy_field }}}}", form)
        assert normalised(ours) == normalised(theirs), name
    assert f'<option value="{unit_a.pk}">{unit_a.name}</option>' in rendered(
        "{% load crm_forms %}{% filter_field f.unit %}", form
    )


def test_a_field_in_error_says_so_to_assistive_technology(supervisor_a):
    form = ComplaintFilter({"received_from": "2026-13-45"}, user=supervisor_a).form
    form.is_valid()
    html = rendered("{% load crm_forms %}{% filter_field f.received_from %}", form)
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_received_from_error"' in html
    assert 'id="id_received_from_error" class="invalid-feedback"' in html
    assert 'for="id_received_from"' in html


def test_a_page_and_its_count_come_in_one_query(customer_a, staff_a):
    for _ in range(7):
        f.make_complaint(customer_a, by=staff_a)
    rows = Complaint.objects.order_by("-pk")
    with CaptureQueriesContext(connection) as queries:
        page = paged(rows.values("number"), 3, number="2", count_source=rows)
    assert len(queries.captured_queries) == 1
    assert page.paginator.count == 7 and page.paginator.num_pages == 3
    assert [r["number"] for r in page.object_list] == list(
        rows.values_list("number", flat=True)[3:6]
    )
    # Past the last page: the last page, as paginate gives it.
    assert paged(rows.values("number"), 3, number="9", count_source=rows).number == 3
    assert paged(rows.values("number"), 3, number="x", count_source=rows).number == 1


def test_a_register_row_shows_what_the_complaint_says(client, customer_a, staff_a, supervisor_a):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.urls import reverse

    shanghai = ZoneInfo("Asia/Shanghai")
    complaint = f.make_complaint(
        customer_a,
        by=staff_a,
        channel="letter",
        category="damage",
        severity="major",
        received_at=datetime(2026, 3, 10, 9, 5, tzinfo=shanghai),
    )
    deadline = datetime(2026, 3, 20, 18, 0, tzinfo=shanghai)
    Complaint.objects.filter(pk=complaint.pk).update(handler=staff_a, deadline=deadline)
    unhandled = f.make_complaint(customer_a, by=staff_a)
    Complaint.objects.filter(pk=unhandled.pk).update(handler=None)
    client.force_login(supervisor_a)
    html = client.get(reverse("complaints:list")).content.decode()
    link = html.index(f'href="{complaint.get_absolute_url()}"')
    row = html[html.rindex("<tr", 0, link) : html.index("</tr>", link)]
    with translation.override("zh-hans"):
        received, due = dates.moment_label(complaint.received_at), dates.moment_label(deadline)
    assert received.startswith("3月10日 周二") or received.startswith("2026年3月10日 周二")
    for shown in (
        complaint.number,
        customer_a.name,
        f"{complaint.unit.name} · 信函",
        ComplaintCategory.objects.get(code="damage").name,
        "text-bg-danger-subtle",
        "重大",
        # Read the Chinese way, the full date and time kept in the tooltip.
        f'title="2026-03-10 09:05">{received}</time>',
        f'title="2026-03-20 18:00">{due}</time>',
        staff_a.get_full_name(),
        '<tr class="table-danger complaint-overdue">',  # open and past its deadline
        "已逾期",
    ):
        assert shown in row, shown
    other = html[html.index(f'href="{unhandled.get_absolute_url()}"') :]
    assert '<td class="d-none d-lg-table-cell">–</td>' in other[: other.index("</tr>")]
