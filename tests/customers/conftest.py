"""Fixtures of the customer book: a region with its salesperson and a small book."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from crm_site.accounts.models import Role
from customers import xlsx
from tests import factories as f


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def salesperson_a(unit_a):
    return f.make_user(Role.STAFF, unit_a, username="sales_a", full_name="周销售")


@pytest.fixture
def region_sh(salesperson_a):
    return f.make_region(code="SH", name="上海", salespeople=[salesperson_a])


@pytest.fixture
def region_gd(db):
    return f.make_region(code="GD", name="广东")


@pytest.fixture
def mine(unit_a, staff_a):
    """A customer of staff_a's, for pages about one customer."""
    return f.make_customer(unit_a, code="V-A1", name="上海远航物流", visiting_person=staff_a)


@pytest.fixture
def theirs(unit_b, staff_b):
    """A customer of unit B, which unit A must not see."""
    return f.make_customer(unit_b, code="V-B1", name="广州恒通贸易", visiting_person=staff_b)


@pytest.fixture
def book(unit_a, unit_b, staff_a, staff_a2, staff_b, region_sh, region_gd):
    """Three customers: staff_a's (grade A), staff_a2's (grade C) in unit A; staff_b's in unit B."""
    return {
        "mine": f.make_customer(
            unit_a,
            code="A-001",
            name="上海远航物流",
            visiting_person=staff_a,
            region=region_sh,
            annual_revenue=1200,
            scale="large",
            trend="growing",
        ),
        "colleague": f.make_customer(
            unit_a,
            code="A-002",
            name="上海恒通贸易",
            visiting_person=staff_a2,
            region=region_sh,
            annual_revenue=60,
            scale="small",
            nature="retailer",
        ),
        "other_unit": f.make_customer(
            unit_b,
            code="B-001",
            name="广州金桥电商",
            visiting_person=staff_b,
            region=region_gd,
            nature="ecommerce",
        ),
    }


def workbook_bytes(rows, headers=None) -> bytes:
    """An .xlsx with a header row (Chinese column names by default) and `rows`."""
    wb = Workbook()
    ws = wb.active
    keys = headers or [c.key for c in xlsx.IMPORT_COLUMNS]
    ws.append(
        [xlsx.column_header(xlsx.COLUMN_BY_KEY[k]) if k in xlsx.COLUMN_BY_KEY else k for k in keys]
    )
    for row in rows:
        ws.append([row.get(k) for k in keys] if isinstance(row, dict) else list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def upload(content: bytes, name: str = "customers.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=xlsx.XLSX_CONTENT_TYPE)
