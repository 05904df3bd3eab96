"""One safe-cell rule for every spreadsheet the site writes: text that looks like a
formula (ASCII or full-width sign, tab, carriage return) is written as text,
control characters are dropped, and each export goes through the rule."""

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import Workbook, load_workbook

from crm_site.core import xlsx

HOSTILE = [
    '=HYPERLINK("http://evil.example","点我")',
    "+86 21 5000",
    "-1+2",
    "@SUM(A1)",
    '＝HYPERLINK("http://evil.example")',
    "＋1+1",
    "－2+3",
    "＠SUM(1,1)",
    "\tcmd",
    "\r=1+1",
]


def as_read(text: str) -> str:
    """XML stores a carriage return as a line feed: a file reads it back so."""
    return text.replace("\r", "\n")


def written(write) -> Workbook:
    """Write a workbook with `write(stream)` and read it back from the bytes."""
    stream = io.BytesIO()
    write(stream)
    assert b"<f>" not in _sheets_xml(stream)  # no formula anywhere in the file
    stream.seek(0)
    return load_workbook(stream)


def _sheets_xml(stream) -> bytes:
    import zipfile

    stream.seek(0)
    with zipfile.ZipFile(stream) as archive:
        return b"".join(archive.read(n) for n in archive.namelist() if n.startswith("xl/"))


def cells_holding(workbook, text: str) -> list:
    return [
        cell
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str) and text in cell.value
    ]


# --- the rule ----------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_looks_like_a_formula_is_a_quoted_text_cell_read_back_as_typed(text):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("t")
    ws.append([xlsx.safe_cell(ws, text)])
    back = written(wb.save)
    cell = back.worksheets[0]["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (as_read(text), "s", True)


@pytest.mark.parametrize("text", ["＝1", "＋1", "－1", "＠1", "=1", "+1", "-1", "@1", "\t1", "\r1"])
def test_ascii_and_full_width_formula_signs_are_recognised(text):
    assert xlsx.looks_like_formula(text)


@pytest.mark.parametrize("value", ["货物延误", "1+1=2", "a-b", "", None, 3, Decimal("1.50")])
def test_ordinary_values_are_left_alone(value):
    assert not xlsx.looks_like_formula(value)
    assert xlsx.clean_text(value) == value


def test_control_characters_that_a_workbook_cannot_hold_are_dropped():
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("t")
    ws.append([xlsx.safe_cell(ws, "华东\x00客户\x07一\x1b号"), xlsx.safe_cell(ws, "=\x0b1+1")])
    back = written(wb.save).worksheets[0]
    assert back["A1"].value == "华东客户一号"
    assert (back["B1"].value, back["B1"].quotePrefix) == ("=1+1", True)


def test_an_ordinary_worksheet_follows_the_same_rule():
    wb = Workbook()
    ws = wb.active
    xlsx.safe_write(ws, 1, 1, "＝1+1\x00")
    xlsx.safe_append(ws, ["-2+3", 5, "文本"])
    back = written(wb.save).worksheets[0]
    assert [(c.value, c.data_type) for c in back[1][:1]] == [("＝1+1", "s")]
    assert back["A1"].quotePrefix and back["A2"].quotePrefix
    assert [c.value for c in back[2]] == ["-2+3", 5, "文本"]


def test_no_module_writes_cells_around_the_shared_rule():
    """Only crm_site/core/xlsx.py builds cells or sets the quote prefix itself."""
    root = Path(settings.BASE_DIR)
    offenders = []
    for folder in ("crm_site", "customers", "complaints", "reports", "visits"):
        for path in (root / folder).rglob("*.py"):
            if path == root / "crm_site" / "core" / "xlsx.py" or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            if "WriteOnlyCell" in text or "quotePrefix" in text or "FORMULA_PREFIXES" in text:
                offenders.append(str(path.relative_to(root)))
    assert offenders == []


# --- every export through it -------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_the_customer_export_writes_hostile_text_as_text(text):
    from customers import xlsx as customer_xlsx

    row = ["C-1", text, "华东营业部"] + [""] * (len(customer_xlsx.COLUMNS) - 3)
    row[customer_xlsx.KEYS.index("annual_revenue")] = Decimal("12.50")
    row[customer_xlsx.KEYS.index("notes")] = text + "\x00"
    back = written(lambda s: customer_xlsx.write_export([row], s))
    name, notes = back.worksheets[0]["B2"], back.worksheets[0]["R2"]
    assert (name.value, name.data_type, name.quotePrefix) == (as_read(text), "s", True)
    assert notes.value == as_read(text)
    revenue = back.worksheets[0].cell(2, customer_xlsx.KEYS.index("annual_revenue") + 1)
    assert (revenue.value, revenue.number_format) == (12.5, "0.00")


def test_the_import_template_writes_hostile_unit_names_as_text():
    from types import SimpleNamespace

    from customers import xlsx as customer_xlsx

    unit = SimpleNamespace(name="=1+1")
    back = written(
        lambda s: customer_xlsx.write_template(s, units=[unit], regions=[], services=[], users=[])
    )
    assert cells_holding(back, "=1+1")  # the list of units, one text cell


@pytest.mark.django_db
def test_the_complaint_register_writes_hostile_text_as_text(unit_a, staff_a):
    from complaints import export
    from complaints.models import Complaint
    from tests.factories import make_complaint, make_customer

    customer = make_customer(unit_a, name='＝HYPERLINK("x")', visiting_person=staff_a)
    make_complaint(customer=customer, by=staff_a, complainant="@SUM(1)\x07")
    back = written(lambda s: export.write_register(Complaint.objects.all(), s))
    for text in ('＝HYPERLINK("x")', "@SUM(1)"):
        found = cells_holding(back, text)
        assert found and all(c.data_type == "s" and c.quotePrefix for c in found), text


def test_the_survey_figures_write_hostile_labels_as_text():
    from customers.voice import export as voice_export

    figures = {
        "start": date(2026, 1, 1),
        "end": date(2026, 3, 31),
        "count": 1,
        "customers": 1,
        "items": [{"label": "－1+1", "good": 1, "poor": 0, "average": 6.5, "weak": False}],
        "months": [{"month": date(2026, 1, 1), "count": 1, "cells": [6.5], "overall": 6.5}],
    }
    back = written(lambda s: voice_export.write_survey_figures(figures, s))
    assert [c.quotePrefix for c in cells_holding(back, "－1+1")] == [True, True]


def test_the_customer_analysis_writes_hostile_labels_as_text():
    from reports import analysis

    result = analysis.Analysis(
        natures=[("soe", "国企")],
        grades=[("A", "核心")],
        region_rows=[{"label": "=1+1", "counts": [1], "total": 1}],
        nature_totals=[1],
        customer_total=1,
        unit_rows=[
            {
                "label": "+1",
                "cells": [{"count": 1, "revenue": Decimal("2.00")}],
                "count": 1,
                "revenue": Decimal("2.00"),
            }
        ],
        grade_totals=[{"count": 1, "revenue": Decimal("2.00")}],
    )
    back = written(lambda s: analysis.write_xlsx(result, s, filters=[("区域", "@x")]))
    for text in ("=1+1", "+1", "@x"):
        found = [c for c in cells_holding(back, text) if c.value == text]
        assert found and all(c.data_type == "s" and c.quotePrefix for c in found)


def test_the_paper_form_writes_hostile_text_as_text():
    from reports.export import Sheet

    wb = Workbook()
    sheet = Sheet(wb.active)
    sheet.merged(1, 3, "＠SUM(1)\x00")
    back = written(wb.save).worksheets[0]
    assert (back["A1"].value, back["A1"].data_type, back["A1"].quotePrefix) == (
        "＠SUM(1)",
        "s",
        True,
    )
    assert "A1:C1" in {str(r) for r in back.merged_cells.ranges}


def test_the_personal_data_export_writes_hostile_text_as_text():
    from customers.privacy import CONTACT_FIELDS, write_personal_data_xlsx

    contact = dict.fromkeys(CONTACT_FIELDS, "") | {CONTACT_FIELDS[0]: "＋86 138"}
    back = written(lambda s: write_personal_data_xlsx({"contacts": [contact], "complaints": []}, s))
    assert [c.quotePrefix for c in cells_holding(back, "＋86 138")] == [True]
