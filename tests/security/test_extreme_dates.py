"""Extreme dates: year 1, year 9999, a month of year 1, typed into any date,
datetime or month field of any form or list filter, get a message in the
user's language, never a 500 (crm_site/core/inputs.py: 1970-01-01 to
2100-12-31).

Three layers: every date, datetime and month field declared by a form or a
FilterSet of the project, taken alone into a form with the input rules
(hypothesis, derandomized); every page of the permission table opened with
those fields of its forms and filters set to the edge values; the addresses
and form fields where the 500 was seen.
"""

import copy
import re
import uuid
from datetime import date

import pytest
from django import forms
from django.forms.forms import BaseForm
from django.test.utils import ContextList
from django.urls import reverse
from django.utils import timezone
from django_filters import FilterSet
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.models import Complaint, ComplaintCategory
from crm_site.core.inputs import EARLIEST_DATE, LATEST_DATE, CleanInputForm, MonthField
from customers.prospects.models import ProspectEvent
from tests.core.test_clean_input import PROJECT, all_subclasses, project_modules_loaded
from tests.security.conftest import database_snapshot, sign_in, snapshot_difference
from tests.security.test_permission_matrix import MATRIX, PERSONAS

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "请填写 1970-01-01 至 2100-12-31 之间的日期"

EDGE_DAYS = ["0001-01-01", "1969-12-31", "1970-01-01", "2100-12-31", "2101-01-01", "9999-12-31"]
EDGE_MONTHS = ["0001-01", "1969-12", "1970-01", "2100-12", "2101-01", "9999-12"]
GARBAGE = ["2026-13-45", "2026-02-30", "-1-01-01", "99999-01-01", "０００１-01", "x", "2026-1"]


def _in_window(value: str) -> bool | None:
    """True or False for a well-formed day or month (True inside the window), None otherwise."""
    try:
        day = date.fromisoformat(value[:10] if len(value) > 7 else f"{value}-01")
    except ValueError:
        return None
    return EARLIEST_DATE <= day <= LATEST_DATE


# --- every field, alone --------------------------------------------------------------


def _kind(field: forms.Field) -> str | None:
    if isinstance(field, MonthField) or getattr(field.widget, "input_type", "") == "month":
        return "month"
    if isinstance(field, forms.DateTimeField):
        return "datetime"
    if isinstance(field, forms.DateField):
        return "date"
    return None


def project_temporal_fields() -> list[tuple[str, str, forms.Field]]:
    """(where, kind, field) of every date, datetime and month field that a form or
    FilterSet of the project declares."""
    project_modules_loaded()
    found = []
    for cls in all_subclasses(BaseForm):
        if cls.__module__.startswith(PROJECT):
            for name, field in getattr(cls, "base_fields", {}).items():
                if kind := _kind(field):
                    found.append((f"{cls.__module__}.{cls.__name__}.{name}", kind, field))
    for cls in all_subclasses(FilterSet):
        if cls.__module__.startswith(PROJECT):
            for name, filter_ in cls.base_filters.items():
                # A copy: a filter keeps the form field it builds, and the class's
                # own filter must not keep one (each filter set copies it and then
                # sets its choices, such as the units the user may pick).
                field = copy.deepcopy(filter_).field
                if kind := _kind(field):
                    found.append((f"{cls.__module__}.{cls.__name__}.{name}", kind, field))
    return sorted(found, key=lambda item: item[0])


FIELDS = project_temporal_fields()


def test_the_walk_finds_the_date_fields_the_500s_were_seen_in():
    where = {w.rsplit(".", 2)[-2] + "." + w.rsplit(".", 1)[-1] for w, _k, _f in FIELDS}
    assert {
        "ComplaintFilter.received_from",
        "ComplaintFilter.received_to",
        "IntelligenceFilter.date_from",
        "ComplaintLogForm.received_at",
        "StepForm.appointment_at",
        "ComplianceMonthForm.month",
    } <= where
    assert len(FIELDS) > 20


def _typed(kind: str, value: str) -> str:
    return f"{value}T09:30" if kind == "datetime" and len(value) == 10 else value


def _edge_values(kind: str) -> st.SearchStrategy[str]:
    days = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))
    if kind == "month":
        typed = days.map(lambda d: d.isoformat()[:7])
        return st.one_of(st.sampled_from(EDGE_MONTHS + GARBAGE), typed, st.text(max_size=12))
    typed = days.map(date.isoformat)
    return st.one_of(st.sampled_from(EDGE_DAYS + GARBAGE), typed, st.text(max_size=12))


@settings(max_examples=300, derandomize=True, deadline=None, database=None)
@given(st.data())
def test_every_date_and_month_field_takes_only_days_of_the_window(data):
    where, kind, field = data.draw(st.sampled_from(FIELDS), label="field")
    value = _typed(kind, data.draw(_edge_values(kind), label="value"))
    probe = type("Probe", (CleanInputForm,), {"value": field})({"value": value})
    valid = probe.is_valid()  # never raises
    window = _in_window(value)
    if window is False:
        assert not valid, (where, value)
        assert probe.errors["value"][0].startswith(OUT_OF_RANGE[:6]) or (
            "date_out_of_range" in [e.code for e in probe.errors.as_data()["value"]]
        )
    if valid and probe.cleaned_data["value"]:
        cleaned = probe.cleaned_data["value"]
        day = cleaned.date() if hasattr(cleaned, "date") and kind == "datetime" else cleaned
        assert EARLIEST_DATE <= day <= LATEST_DATE, (where, value)


# --- every page, its date fields set to the edges --------------------------------------


def _get_pages(world) -> list[tuple[str, str]]:
    """(persona, url) of each page the permission table opens with 200 for the admin
    or a supervisor."""
    pages = []
    for name, cases in MATRIX.items():
        for case in cases if isinstance(cases, list) else [cases]:
            allowed = {p for p, t in zip(PERSONAS, case.get.split(), strict=True) if t == "200"}
            persona = next((p for p in ("admin", "supervisor", "staff") if p in allowed), None)
            if persona:
                url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else None)
                pages.append((persona, url))
    return pages


INPUT_KINDS = {"date": "date", "datetime-local": "datetime", "month": "month"}


def _date_parameters(response) -> dict[str, str]:
    """The names of the page's date, datetime and month inputs (its forms' and
    filters' fields, and inputs a template writes itself): name -> kind."""
    found = {}
    for tag in re.findall(r"<input\b[^>]*>", response.content.decode()):
        kind = re.search(r'type="([\w-]+)"', tag)
        name = re.search(r'name="([^"]+)"', tag)
        if kind and name and kind[1] in INPUT_KINDS:
            found[name[1]] = INPUT_KINDS[kind[1]]
    context = response.context
    contexts = context if isinstance(context, ContextList) else [context]
    values = [v for c in contexts if c is not None for v in c.flatten().values()]
    for value in {id(v): v for v in values}.values():
        form = value.form if isinstance(value, FilterSet) else value
        if isinstance(form, BaseForm):
            for name, field in form.fields.items():
                if kind := _kind(field):
                    found[form.add_prefix(name)] = kind
    return found


def _answer(client, url, query) -> int:
    response = client.get(url, query)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    return response.status_code


def test_no_page_or_export_answers_5xx_to_an_extreme_date_in_its_filters_or_forms(client, world):
    pages = _get_pages(world)
    exports = {url for _persona, url in pages if url.endswith("export/")}
    tried = set()
    for persona, url in pages:
        sign_in(client, world, persona)
        response = client.get(url)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        for name, kind in _date_parameters(response).items():
            edges = EDGE_MONTHS if kind == "month" else EDGE_DAYS
            for value in [*edges, *GARBAGE[:3]]:
                for address in {url, f"{url}export/"} & ({url} | exports):
                    status = _answer(client, address, {name: _typed(kind, value)})
                    assert status < 500, (persona, address, name, value)
                    tried.add((address, name))
    assert {
        ("/complaints/", "received_from"),
        ("/complaints/export/", "received_to"),
        ("/visits/intelligence/", "date_from"),
        ("/visits/compliance/", "month"),
        ("/reports/monthly/", "month"),
    } <= tried
    assert len(tried) > 20


# --- where the 500s were seen ------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        {"received_from": "0001-01-01"},
        {"received_to": "9999-12-31"},
        {"received_from": "0001-01-01", "received_to": "9999-12-31"},
    ],
)
def test_an_extreme_day_in_the_complaint_register_gets_a_chinese_message(client, world, query):
    sign_in(client, world, "supervisor")
    response = client.get(reverse("complaints:list"), query)
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()


@pytest.mark.parametrize("query", [{"received_from": "0001-01-01"}, {"received_to": "9999-12-31"}])
def test_an_extreme_day_in_the_complaint_export_does_not_fail(client, world, query):
    sign_in(client, world, "supervisor")
    response = client.get(reverse("complaints:export"), query)
    assert response.status_code < 500
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)


def test_extreme_days_in_the_intelligence_register_get_a_chinese_message(client, world):
    sign_in(client, world, "staff")
    response = client.get(
        reverse("visits:intelligence"), {"date_from": "0001-01-01", "date_to": "9999-12-31"}
    )
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()


@pytest.mark.parametrize("month", ["0001-01", "1969-12", "9999-12"])
def test_an_extreme_month_on_the_compliance_page_shows_this_month_and_says_why(
    client, world, month
):
    sign_in(client, world, "supervisor")
    response = client.get(reverse("visits:compliance"), {"month": month})
    assert response.status_code == 200
    html = response.content.decode()
    if month != "9999-12":  # a month to come shows this month, as it always did
        assert OUT_OF_RANGE in html
    assert response.context["month"] == timezone.localdate().replace(day=1)


def test_the_compliance_page_goes_back_no_further_than_the_first_month_of_the_window(client, world):
    sign_in(client, world, "supervisor")
    response = client.get(reverse("visits:compliance"), {"month": "1970-01"})
    assert response.status_code == 200
    assert response.context["previous_month"] is None


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00", "1969-12-31T23:59"])
def test_an_extreme_time_received_is_refused_with_a_chinese_message_and_saves_nothing(
    client, world, received_at
):
    sign_in(client, world, "staff")
    before = database_snapshot()
    response = client.post(
        reverse("complaints:create"),
        {
            "customer": world.customer.code,
            "channel": "phone",
            "received_at": received_at,
            "complainant": "王先生",
            "content": "货物延误",
            "category": ComplaintCategory.objects.get(code="delay").pk,
            "severity": "normal",
        },
    )
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    assert snapshot_difference(before, database_snapshot()) == []
    assert Complaint.objects.count() == 1  # the world's own


@pytest.mark.parametrize("appointment_at", ["0001-01-01T00:00", "9999-12-31T23:59"])
def test_an_extreme_appointment_is_refused_with_a_chinese_message(client, world, appointment_at):
    sign_in(client, world, "staff")
    response = client.post(
        reverse("customers:development_step", args=[world.prospect.pk]),
        {
            "step": "6",
            "happened_on": timezone.localdate().isoformat(),
            "appointment_at": appointment_at,
            "form_token": str(uuid.uuid4()),
        },
    )
    assert response.status_code == 200
    assert OUT_OF_RANGE in response.content.decode()
    assert not ProspectEvent.objects.filter(prospect=world.prospect, step=6).exists()
