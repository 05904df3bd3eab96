"""Text people type has a length limit and no hidden characters
(crm_site/core/inputs.py): a megabyte of notes or of a complaint is refused
with a Chinese message, text at the limit is kept; zero-width characters and
the byte-order mark are dropped, BEL, ESC and the other control characters
refused; the same in the forms and in an imported file."""

import uuid

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, ComplaintCategory
from crm_site.core.inputs import TEXT_MAX_LENGTH
from customers import xlsx
from customers.models import Customer, CustomerImport
from tests.customers.conftest import workbook_bytes
from tests.security.conftest import database_snapshot, sign_in, snapshot_difference
from tests.security.test_hostile_input import customer_form

pytestmark = pytest.mark.django_db

MEGABYTE = "x" * 1_000_000
TOO_LONG = f"不超过 {TEXT_MAX_LENGTH} 字符"
CONTROL_REFUSED = "请删除文本中的控制字符"
PROJECT = ("crm_site", "customers", "visits", "complaints", "reports")
# Text the application writes itself, never a person: a notification, an error.
WRITTEN_BY_THE_APPLICATION = {
    "core.Notification.body",
    "core.ExportJob.error",
    "customers.RegradeRun.error",
}


def complaint_form(world, **fields) -> dict:
    return {
        "form_token": str(uuid.uuid4()),
        "customer": world.customer.code,
        "channel": "phone",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "complainant": "王先生",
        "content": "货物延误",
        "category": ComplaintCategory.objects.get(code="delay").pk,
        "severity": "normal",
    } | fields


def test_every_text_field_people_type_into_has_a_length_limit():
    unlimited = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith(PROJECT)
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField)
        and field.max_length is None
        and type(field) is models.TextField  # not the summaries' JSON held as text
    ]
    assert len(unlimited) == len(WRITTEN_BY_THE_APPLICATION)
    assert set(unlimited) == WRITTEN_BY_THE_APPLICATION


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("customers:create", lambda w: customer_form(w, notes=MEGABYTE)),
        ("complaints:create", lambda w: complaint_form(w, content=MEGABYTE)),
    ],
    ids=["customer-notes", "complaint-content"],
)
def test_a_megabyte_of_text_is_refused_with_a_chinese_message_and_saves_nothing(
    client, world, url_name, data
):
    sign_in(client, world, "staff")
    before = database_snapshot()
    response = client.post(reverse(url_name), data(world))
    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()
    assert snapshot_difference(before, database_snapshot()) == []


def test_notes_and_a_complaint_at_the_limit_are_kept(client, world):
    at_limit = "长" * TEXT_MAX_LENGTH
    sign_in(client, world, "staff")
    response = client.post(reverse("customers:create"), customer_form(world, notes=at_limit))
    assert response.status_code == 302
    assert Customer.objects.get(code="U-1").notes == at_limit
    response = client.post(reverse("complaints:create"), complaint_form(world, content=at_limit))
    assert response.status_code == 302
    assert Complaint.objects.filter(content=at_limit).exists()


def test_a_form_field_without_its_own_limit_takes_the_common_one(client, world):
    sign_in(client, world, "staff")
    response = client.post(
        reverse("complaints:create"), complaint_form(world, demand="y" * (TEXT_MAX_LENGTH + 1))
    )
    assert response.status_code == 200
    assert TOO_LONG in response.content.decode()


def test_an_imported_row_over_the_limit_is_reported_with_its_row_and_nothing_is_imported(
    client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world, "supervisor")
    rows = [
        {"code": "L-1", "name": "正常客户", "unit": world.unit_a.name, "notes": "好"},
        {
            "code": "L-2",
            "name": "超长备注客户",
            "unit": world.unit_a.name,
            "notes": "长" * (TEXT_MAX_LENGTH + 1),
        },
    ]
    content = SimpleUploadedFile(
        "limits.xlsx", workbook_bytes(rows), content_type=xlsx.XLSX_CONTENT_TYPE
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:import"), {"file": content, "form_token": uuid.uuid4()})
    record = CustomerImport.objects.exclude(pk=world.upload.pk).get()
    errors = {(e["row"], e["column"]): e["message"] for e in record.result["errors"]}
    assert TOO_LONG in errors[(3, "notes")]
    assert list(errors) == [(3, "notes")]
    assert not Customer.objects.filter(code__startswith="L-").exists()


@pytest.mark.parametrize(
    "typed",
    ["上海\u200b物流", "\ufeff上海物流", "上海\u200c物流", "上海\u200d物流", "上海\u2060物流"],
    ids=["zero-width-space", "bom", "zero-width-non-joiner", "zero-width-joiner", "word-joiner"],
)
def test_zero_width_characters_and_the_bom_are_dropped_silently(client, world, typed):
    sign_in(client, world, "staff")
    response = client.post(
        reverse("customers:create"), customer_form(world, name=typed, notes=f"备注{typed}")
    )
    assert response.status_code == 302
    customer = Customer.objects.get(code="U-1")
    assert (customer.name, customer.notes) == ("上海物流", "备注上海物流")


def test_a_joiner_inside_an_emoji_is_kept(client, world):
    family = "👨\u200d👩\u200d👧"
    sign_in(client, world, "staff")
    response = client.post(reverse("customers:create"), customer_form(world, name=f"家庭{family}"))
    assert response.status_code == 302
    assert Customer.objects.get(code="U-1").name == f"家庭{family}"


@pytest.mark.parametrize(
    "control",
    ["\x07", "\x1b", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f"],
    ids=["bel", "esc", "soh", "backspace", "vertical-tab", "form-feed", "unit-separator", "del"],
)
def test_control_characters_are_refused_with_a_chinese_message_and_save_nothing(
    client, world, control
):
    sign_in(client, world, "staff")
    before = database_snapshot()
    response = client.post(
        reverse("customers:create"), customer_form(world, notes=f"备注{control}[31m")
    )
    assert response.status_code == 200
    assert CONTROL_REFUSED in response.content.decode()
    response = client.post(
        reverse("complaints:create"), complaint_form(world, content=f"内容{control}延误")
    )
    assert response.status_code == 200
    assert CONTROL_REFUSED in response.content.decode()
    assert snapshot_difference(before, database_snapshot()) == []


def test_tabs_and_line_breaks_are_kept(client, world):
    sign_in(client, world, "staff")
    notes = "第一行\r\n第二行\t缩进"
    response = client.post(reverse("customers:create"), customer_form(world, notes=notes))
    assert response.status_code == 302
    assert Customer.objects.get(code="U-1").notes == notes
