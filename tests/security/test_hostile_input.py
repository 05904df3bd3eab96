"""Hostile input: the corpus of tests/security/make_corpus.py (built into a
temporary folder), script typed into every text field of every form, file
names that climb out of folders, and Unicode edge cases.

Each refused input gets a clear message in Chinese and changes nothing; text
that is accepted is shown as text everywhere (pages, exports, e-mails, the
charts' JSON), never run.
"""

import io
import json
import re
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from complaints import services as complaint_services
from complaints.models import Complaint, ComplaintCategory
from customers import xlsx
from customers.fields import customer_label
from customers.models import Customer, CustomerImport
from tests.customers.rules import definition, rule_post
from tests.factories import make_complaint
from tests.security import make_corpus
from tests.security.conftest import database_snapshot, sign_in, snapshot_difference
from tests.security.test_permission_matrix import MATRIX, PERSONAS

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
PAYLOAD = f'">{SCRIPT}'  # breaks out of an attribute, then a script: 27 characters
SHORT = "<script>1</script>"  # for fields of 20 characters
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
RAW_MARKERS = (SCRIPT, SHORT, "<svg onload", "<img src=x onerror")


@pytest.fixture(scope="session")
def corpus(tmp_path_factory) -> dict[str, Path]:
    return make_corpus.build(tmp_path_factory.mktemp("corpus"))


def assert_shown_as_text(html: str, where: str) -> None:
    for marker in RAW_MARKERS:
        assert marker not in html, f"{where}: {marker!r} reached the page unescaped"


def upload(client, path: Path, jobs=None):
    """Upload `path` for import (running the check job, if `jobs` captures it); the page after."""
    content = SimpleUploadedFile(path.name, path.read_bytes(), content_type=xlsx.XLSX_CONTENT_TYPE)
    if jobs is None:
        return client.post(
            reverse("customers:import"), {"file": content, "form_token": uuid.uuid4()}, follow=True
        )
    with jobs(execute=True):
        response = client.post(
            reverse("customers:import"), {"file": content, "form_token": uuid.uuid4()}
        )
    return client.get(response["Location"]) if response.status_code == 302 else response


def stored_uploads(media: Path) -> list[Path]:
    folder = media / "customer-imports"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


# --- the corpus of hostile workbooks -------------------------------------------------

REFUSALS = {
    "zip_bomb": "文件解压后超过 200 MB",
    "million_rows": "文件超过 50,000 行上限",
    "oversized": "文件超过 10 MB 上限",
    "formulas": "不接受公式",
    "fake_pdf": "这不是有效的 Excel（.xlsx）文件",
    "fake_png": "这不是有效的 Excel（.xlsx）文件",
    "fake_csv": "这不是有效的 Excel（.xlsx）文件",
    "fake_html": "这不是有效的 Excel（.xlsx）文件",
    "fake_xls": "这不是有效的 Excel（.xlsx）文件",
    "fake_docx": "这不是有效的 Excel（.xlsx）文件",
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_a_hostile_workbook_is_refused_with_a_chinese_message_and_changes_nothing(
    name, corpus, client, world, settings, django_capture_on_commit_callbacks, monkeypatch
):
    if name != "formulas":  # only a well-formed workbook may be parsed into cells at all
        monkeypatch.setattr(xlsx, "load_workbook", lambda *a, **k: pytest.fail("parsed"))
    sign_in(client, world, "supervisor")
    before = database_snapshot()
    response = upload(client, corpus[name], django_capture_on_commit_callbacks)
    html = response.content.decode()
    assert REFUSALS[name] in html
    changed = snapshot_difference(before, database_snapshot())
    # Nothing but the record of the refused upload (which keeps the message).
    assert all(c.startswith("customers.CustomerImport ") for c in changed), changed
    refused = CustomerImport.objects.exclude(pk=world.upload.pk)
    assert all(r.state == "discarded" and not r.file for r in refused)
    assert stored_uploads(Path(settings.MEDIA_ROOT)) == []


def test_a_million_rows_are_counted_only_up_to_the_limit(corpus):
    with zipfile.ZipFile(corpus["million_rows"]) as archive:
        assert xlsx.count_rows(archive, limit=xlsx.MAX_ROWS + 1) == xlsx.MAX_ROWS + 1


def test_a_million_row_sheet_is_refused_at_upload_before_any_background_check(
    corpus, client, world, monkeypatch
):
    from customers import tasks

    monkeypatch.setattr(tasks.customer_import_check, "apply_async", lambda *a, **k: pytest.fail())
    sign_in(client, world, "supervisor")
    response = upload(client, corpus["million_rows"])
    assert "文件超过 50,000 行上限，请拆分为多个文件。" in response.content.decode()
    assert CustomerImport.objects.exclude(pk=world.upload.pk).get().state == "discarded"


def test_text_that_only_looks_like_a_formula_is_kept_as_text_and_exported_as_text(
    corpus, client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world, "supervisor")
    upload(client, corpus["formula_texts"], django_capture_on_commit_callbacks)
    record = CustomerImport.objects.exclude(pk=world.upload.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("customers:import_apply", args=[record.pk]))
    names = set(Customer.objects.filter(code__startswith="T-").values_list("name", flat=True))
    assert names == set(make_corpus.FORMULA_TEXTS)

    content = b"".join(client.get(reverse("customers:export")).streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert set(make_corpus.FORMULA_TEXTS) <= {c.value for c in cells}


def test_a_complaint_export_never_holds_a_formula(client, world):
    make_complaint(world.customer, by=world.staff, complainant='=HYPERLINK("http://x","y")')
    sign_in(client, world, "supervisor")
    sheet = load_workbook(io.BytesIO(client.get(reverse("complaints:export")).content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    held = [c for c in cells if c.value == '=HYPERLINK("http://x","y")']
    assert held and all(c.data_type == "s" and c.quotePrefix for c in held)


# --- script typed into every text field of every form ----------------------------------


def _post_ok(client, url, data, what):
    response = client.post(url, data)
    assert response.status_code == 302, f"{what} was not saved: {response.status_code}"
    return response


def type_script_everywhere(client, world, settings) -> dict:
    """Every form of the site, every text field holding PAYLOAD; returns what was made."""
    w = world
    # Customer card (staff) and its contact.
    sign_in(client, w, "staff")
    _post_ok(
        client,
        reverse("customers:create"),
        {
            "code": "XSS-1",
            "name": PAYLOAD,
            "nature": "manufacturer",
            "scale": "medium",
            "annual_revenue": "120",
            "trend": "stable",
            "status": "active",
            "unit": w.unit_a.pk,
            "industry": PAYLOAD,
            "address": PAYLOAD,
            "notes": PAYLOAD,
            "form_token": str(uuid.uuid4()),
        },
        "customer",
    )
    customer = Customer.objects.get(code="XSS-1")
    _post_ok(
        client,
        reverse("customers:contact_create", args=[customer.pk]),
        {
            "name": PAYLOAD,
            "position": PAYLOAD,
            "organisation": PAYLOAD,
            "mobile": PAYLOAD,
            "phone": PAYLOAD,
            "email": "x@example.com",
            "wechat": PAYLOAD,
            "address": PAYLOAD,
            "notes": PAYLOAD,
            "form_token": str(uuid.uuid4()),
        },
        "contact",
    )
    # The daily report: an entry with the six items, the remarks, the submission.
    report = w.report
    _post_ok(
        client,
        reverse("visits:entry_new", args=[report.pk]),
        {
            "customer": customer_label(customer),
            "kind": "call",
            "time": "00:05",
            "opinions": PAYLOAD,
            "market": PAYLOAD,
            "effect": PAYLOAD,
            "handling": PAYLOAD,
            "other": PAYLOAD,
            "needs_escalation": "on",
            "escalation_reason": PAYLOAD,
            "form_token": "6f1c4b0e-8a0d-4c55-9a53-2f5e0d1c9a11",
        },
        "entry",
    )
    client.post(reverse("visits:report_note", args=[report.pk]), {"note": PAYLOAD})
    _post_ok(client, reverse("visits:report_submit", args=[report.pk]), {"note": PAYLOAD}, "submit")
    # A complaint, taken through every step that takes text.
    category = ComplaintCategory.objects.get(code="delay")
    _post_ok(
        client,
        reverse("complaints:create"),
        {
            "customer": customer.code,
            "channel": "phone",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "complainant": PAYLOAD,
            "contact_phone": PAYLOAD,
            "content": PAYLOAD,
            "demand": PAYLOAD,
            "category": category.pk,
            "severity": "normal",
            "form_token": str(uuid.uuid4()),
        },
        "complaint",
    )
    complaint = Complaint.objects.get(customer=customer)

    def act(persona, action, **fields):
        sign_in(client, w, persona)
        data = {f"{action}-{k}": v for k, v in fields.items()}
        url = reverse("complaints:action", args=[complaint.pk, action])
        _post_ok(client, url, data, f"complaint {action}")

    act("staff", "start", comment=PAYLOAD)
    act("staff", "findings", cause=PAYLOAD, responsible_department=PAYLOAD, comment=PAYLOAD)
    act(
        "supervisor", "propose", cause=PAYLOAD, responsible_department=PAYLOAD,
        solution=PAYLOAD, comment=PAYLOAD,
    )  # fmt: skip
    act("supervisor", "resolve", comment=PAYLOAD)
    act(
        "staff", "notify", notified_on=timezone.localdate().isoformat(), means="letter",
        comment=PAYLOAD,
    )  # fmt: skip
    act("staff", "return_visit", satisfied="yes", note=PAYLOAD)
    # The supervisor returns the report and pins the grade, with reasons.
    sign_in(client, w, "supervisor")
    _post_ok(
        client,
        reverse("visits:report_review", args=[report.pk]),
        {"action": "return", "comment": PAYLOAD},
        "review",
    )
    _post_ok(
        client,
        reverse("customers:pin_grade", args=[customer.pk]),
        {"grade": "B", "reason": PAYLOAD},
        "pin",
    )
    # An upload whose name is script, and a workbook whose cells are.
    client.post(
        reverse("customers:import"),
        {
            "file": SimpleUploadedFile(f"{SHORT}.xlsx", b"not a workbook"),
            "form_token": uuid.uuid4(),
        },
    )
    # The admin names a grade and notes a rule with script; names a unit and a category.
    sign_in(client, w, "admin")
    rule = definition()
    rule["grades"][0]["name"] = SHORT
    preview = client.post(reverse("customers:grading"), rule_post(rule, note=PAYLOAD))
    digest = preview.context["digest"]
    _post_ok(
        client,
        reverse("customers:grading"),
        rule_post(rule, action="save", note=PAYLOAD, digest=digest),
        "grading rule",
    )
    w.unit_a.name = PAYLOAD
    w.unit_a.save()
    ComplaintCategory.objects.filter(pk=category.pk).update(name=PAYLOAD)
    return {"customer": customer, "complaint": complaint, "report": report}


def _pages(world, made) -> list[tuple[str, str]]:
    """(persona, url) of every page the matrix opens with 200, and the new objects' pages."""
    pages = []
    for name, cases in MATRIX.items():
        for case in cases if isinstance(cases, list) else [cases]:
            url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else None)
            allowed = {p for p, t in zip(PERSONAS, case.get.split(), strict=True) if t == "200"}
            # The admin sees every page; staff their own; a supervisor what staff may not.
            for persona in ("admin", "staff") if "staff" in allowed else ("admin", "supervisor"):
                if persona in allowed:
                    pages.append((persona, url))
    customer, complaint, report = made["customer"], made["complaint"], made["report"]
    for persona in ("staff", "supervisor", "manager", "admin"):
        pages += [
            (persona, reverse("customers:detail", args=[customer.pk])),
            (persona, reverse("customers:list") + "?q=XSS"),
            (persona, reverse("complaints:detail", args=[complaint.pk])),
            (persona, reverse("complaints:print", args=[complaint.pk])),
            (persona, reverse("complaints:notice", args=[complaint.pk])),
            (persona, reverse("complaints:list")),
            (persona, reverse("visits:report_detail", args=[report.pk])),
            (persona, reverse("core:notifications")),
        ]
    pages += [
        ("supervisor", reverse("visits:review")),
        (
            "supervisor",
            reverse(
                "customers:import_preview",
                args=[CustomerImport.objects.exclude(pk=world.upload.pk).get().pk],
            ),
        ),
        ("admin", reverse("audit_log")),
        ("admin", reverse("customers:grading")),
        (
            "staff",
            reverse("customers:contact_edit", args=[customer.pk, customer.contacts.get().pk]),
        ),
        ("staff", reverse("customers:edit", args=[customer.pk])),
    ]
    return pages


def test_script_typed_into_every_form_is_shown_as_text_on_every_page(client, world, settings):
    made = type_script_everywhere(client, world, settings)
    seen_escaped = 0
    for persona, url in _pages(world, made):
        sign_in(client, world, persona)
        response = client.get(url)
        assert response.status_code == 200, (persona, url, response.status_code)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        html = response.content.decode()
        assert_shown_as_text(html, f"{url} as {persona}")
        seen_escaped += ESCAPED in html
    assert seen_escaped > 20  # the script was stored, and shown (as text) on many pages


def test_script_comes_back_as_text_in_a_form_refused_for_another_reason(client, world):
    """A validation error re-shows what was typed: escaped there too."""
    sign_in(client, world, "staff")
    response = client.post(
        reverse("visits:entry_new", args=[world.report.pk]),
        {"customer": PAYLOAD, "kind": "call", "time": "", "effect": PAYLOAD, "form_token": "x"},
    )
    assert response.status_code == 200
    assert_shown_as_text(response.content.decode(), "entry form with errors")
    response = client.post(reverse("customers:create"), {"code": PAYLOAD, "name": PAYLOAD})
    assert_shown_as_text(response.content.decode(), "customer form with errors")
    anonymous = Client()
    response = anonymous.post(reverse("login"), {"username": PAYLOAD, "password": "x"})
    assert_shown_as_text(response.content.decode(), "login form")


@pytest.mark.parametrize(
    "name", ["customers:list", "complaints:list", "audit_log", "visits:report_list"]
)
def test_script_in_a_search_is_not_reflected(client, world, name):
    sign_in(client, world, "admin")
    response = client.get(reverse(name), {"q": PAYLOAD, "action": PAYLOAD, "status": PAYLOAD})
    assert response.status_code == 200
    assert_shown_as_text(response.content.decode(), name)


def test_script_in_the_data_reaches_exports_as_plain_text(client, world, settings):
    made = type_script_everywhere(client, world, settings)
    sign_in(client, world, "supervisor")
    content = b"".join(client.get(reverse("customers:export")).streaming_content)
    values = {c.value for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row}
    assert PAYLOAD in values
    sheet = load_workbook(io.BytesIO(client.get(reverse("complaints:export")).content)).active
    cells = [c for row in sheet.iter_rows() for c in row]
    assert PAYLOAD in {c.value for c in cells}
    assert all(c.data_type != "f" for c in cells)
    assert made["complaint"].number in {c.value for c in cells}


def test_chart_data_carries_script_as_data_not_markup(client, world, settings):
    type_script_everywhere(client, world, settings)
    sign_in(client, world, "supervisor")
    html = client.get(reverse("complaints:stats")).content.decode()
    assert_shown_as_text(html, "complaint figures")
    match = re.search(
        r'<script id="complaint-chart-data" type="application/json">(.*?)</script>', html, re.S
    )
    data = json.loads(match.group(1))
    assert PAYLOAD in {c["name"] for c in data["categories"]}


def test_e_mails_are_plain_text_carrying_the_text_as_typed(
    world, django_capture_on_commit_callbacks
):
    staff = world.staff
    staff.email = "staff_a@example.com"
    staff.save()
    Customer.objects.filter(pk=world.customer.pk).update(name=PAYLOAD)
    complaint = make_complaint(world.customer, by=staff, content=PAYLOAD)
    Complaint.objects.filter(pk=complaint.pk).update(deadline=timezone.now() + timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert complaint_services.complaint_remind(complaint_id=complaint.pk)
    (message,) = mail.outbox
    assert message.content_subtype == "plain" and not getattr(message, "alternatives", [])
    assert PAYLOAD in message.body  # as typed: a text mail is never rendered as HTML


# --- file names ---------------------------------------------------------------------

TRAVERSAL_NAMES = [
    "../../../../etc/passwd.xlsx",
    "..\\..\\..\\windows\\win.ini.xlsx",
    "/etc/cron.d/evil.xlsx",
    "%2e%2e%2f%2e%2e%2fevil.xlsx",
]


@pytest.mark.parametrize("name", TRAVERSAL_NAMES)
def test_an_upload_named_to_climb_out_of_its_folder_stays_in_its_folder(
    name, client, world, settings, django_capture_on_commit_callbacks
):
    from tests.customers.conftest import workbook_bytes

    media = Path(settings.MEDIA_ROOT).resolve()
    sign_in(client, world, "supervisor")
    content = workbook_bytes([{"code": "P-1", "name": "路径客户", "unit": world.unit_a.name}])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("customers:import"),
            {"file": SimpleUploadedFile(name, content), "form_token": uuid.uuid4()},
        )
    record = CustomerImport.objects.exclude(pk=world.upload.pk).get()
    stored = Path(record.file.path).resolve()
    assert stored.is_relative_to(media / "customer-imports")
    assert stored.name == f"{record.pk}.xlsx"
    assert ".." not in record.original_name and "/" not in record.original_name
    assert all(p.resolve().is_relative_to(media) for p in media.rglob("*"))


def test_a_recording_named_to_climb_out_of_its_folder_is_stored_under_a_random_name(
    client, world, settings
):
    from tests.security.conftest import MP3

    media = Path(settings.MEDIA_ROOT).resolve()
    sign_in(client, world, "staff")
    url = reverse("complaints:action", args=[world.complaint.pk, "recording"])
    upload = SimpleUploadedFile("../../../../tmp/evil.mp3", MP3, content_type="audio/mpeg")
    client.post(url, {"recording-recording": upload})
    world.complaint.refresh_from_db()
    stored = Path(world.complaint.recording.path).resolve()
    assert stored.is_relative_to(media / "complaints" / "recordings")
    assert "evil" not in stored.name


# --- Unicode edge cases ---------------------------------------------------------------


def customer_form(world, **fields) -> dict:
    return {
        "form_token": str(uuid.uuid4()),
        "code": "U-1",
        "name": "统一码客户",
        "nature": "manufacturer",
        "scale": "medium",
        "annual_revenue": "120",
        "trend": "stable",
        "status": "active",
        "unit": world.unit_a.pk,
    } | fields


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": make_corpus.UNICODE["rtl"]}, "请删除文本中不可见的文字方向控制符"),
        ({"notes": make_corpus.UNICODE["rlm"]}, "请删除文本中不可见的文字方向控制符"),
        ({"annual_revenue": "１２３"}, "请用半角数字 0-9 填写"),
        ({"annual_revenue": "١٢٣"}, "请用半角数字 0-9 填写"),
        ({"name": "空字符\x00客户"}, "不允许包含空字符"),
        ({"name": "长" * 201}, "不超过 200 字符"),
    ],
    ids=["rtl-override", "rtl-mark", "full-width-digits", "arabic-digits", "nul", "too-long"],
)
def test_a_unicode_trap_in_the_customer_form_gets_a_chinese_message_and_saves_nothing(
    client, world, fields, message
):
    sign_in(client, world, "staff")
    before = database_snapshot()
    response = client.post(reverse("customers:create"), customer_form(world, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert snapshot_difference(before, database_snapshot()) == []


def test_direction_marks_are_refused_in_the_forms_of_every_app(client, world):
    rtl = make_corpus.UNICODE["rtl"]
    sign_in(client, world, "staff")
    before = database_snapshot()
    pages = [
        (
            reverse("customers:contact_create", args=[world.customer.pk]),
            {"name": rtl, "mobile": "1", "form_token": str(uuid.uuid4())},
        ),
        (
            reverse("visits:entry_new", args=[world.report.pk]),
            {
                "customer": customer_label(world.customer),
                "kind": "call",
                "time": "00:06",
                "effect": rtl,
                "form_token": "0b7f6c1e-1d2a-4d5e-9f60-7a8b9c0d1e2f",
            },
        ),
        (
            reverse("complaints:create"),
            {
                "customer": world.customer.code,
                "channel": "phone",
                "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
                "complainant": rtl,
                "content": "内容",
                "category": ComplaintCategory.objects.get(code="delay").pk,
                "severity": "normal",
                "form_token": str(uuid.uuid4()),
            },
        ),
    ]
    for url, data in pages:
        response = client.post(url, data)
        assert "请删除文本中不可见的文字方向控制符" in response.content.decode(), url
    assert snapshot_difference(before, database_snapshot()) == []


def test_emoji_are_kept_and_shown_as_typed(client, world):
    emoji = make_corpus.UNICODE["emoji"]
    sign_in(client, world, "staff")
    response = client.post(
        reverse("customers:create"), customer_form(world, name=emoji, notes="👍 好评")
    )
    assert response.status_code == 302
    customer = Customer.objects.get(code="U-1")
    assert (customer.name, customer.notes) == (emoji, "👍 好评")
    assert emoji in client.get(customer.get_absolute_url()).content.decode()
    content = b"".join(client.get(reverse("customers:export")).streaming_content)
    assert emoji in {
        c.value for row in load_workbook(io.BytesIO(content)).active.iter_rows() for c in row
    }


def test_unicode_traps_in_an_imported_file_are_row_errors_and_nothing_is_imported(
    corpus, client, world, django_capture_on_commit_callbacks
):
    sign_in(client, world, "supervisor")
    upload(client, corpus["unicode"], django_capture_on_commit_callbacks)
    record = CustomerImport.objects.exclude(pk=world.upload.pk).get()
    errors = {(e["row"], e["column"]): e["message"] for e in record.result["errors"]}
    assert errors[(2, "name")].startswith("请删除文本中不可见的文字方向控制符")
    assert errors[(4, "annual_revenue")].startswith("请用半角数字 0-9 填写")
    assert errors[(5, "annual_revenue")].startswith("请用半角数字 0-9 填写")
    assert (3, "name") not in errors  # emoji are fine
    assert record.state == "discarded"
    assert not Customer.objects.filter(code__startswith="U-").exists()


def test_an_oversized_request_is_refused_before_its_body_is_read(client, world, settings):
    from tests.security.conftest import MP3

    settings.CRM_MAX_REQUEST_MB = 1
    sign_in(client, world, "staff")
    before = database_snapshot()
    url = reverse("complaints:action", args=[world.complaint.pk, "recording"])
    upload = SimpleUploadedFile(
        "长录音.mp3", MP3 + b"\0" * (1024 * 1024), content_type="audio/mpeg"
    )
    response = client.post(url, {"recording-recording": upload})
    assert response.status_code == 413
    assert (
        "超过 1 MB" in response.content.decode() and "没有保存任何内容" in response.content.decode()
    )
    assert snapshot_difference(before, database_snapshot()) == []
