"""Generate the hostile-input corpus (nothing is downloaded, nothing committed).

    python tests/security/make_corpus.py [OUTDIR]   # default tests/security/corpus/ (git-ignored)

The tests build the same files into a temporary folder (tests/security/
test_hostile_input.py), so the repository stays small. Each file is built
cheaply: the big ones are streamed into the zip, never held in memory.

- zip-bomb.xlsx: a real workbook whose sheet inflates to 300 MB of blanks
  (about 300 KB on disk);
- million-rows.xlsx: a sheet of 1,000,000 customer rows (about 1 MB on disk);
- fake-*.xlsx: a PDF, a PNG, a CSV, an HTML page, an old .xls and a Word
  document, each named .xlsx;
- formulas.xlsx: formula cells (=HYPERLINK, a DDE call, arithmetic) beside
  text cells that only look like formulas;
- oversized.xlsx: a workbook padded past the 10 MB upload limit;
- xss.xlsx / unicode.xlsx: rows whose text is script, or direction marks,
  emoji and full-width digits.
"""

import io
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

# Header texts of the import template (customers/xlsx.py, in Chinese).
HEADERS = ["客户编码", "客户名称", "营业单位", "年营业额（万元）", "地址", "备注"]

XSS = [
    '<script>alert("xss")</script>',
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7|add:7 }}{% debug %}",
    "' onmouseover='alert(1)",
]
FORMULA_TEXTS = ['=HYPERLINK("http://evil.example/","点我")', "+1+1", "-2+3", "@SUM(1,1)"]
RTL = "\u202egnp.exe"  # shows as "exe.png" (right-to-left override)
UNICODE = {
    "rtl": f"上海{RTL}物流",
    "rlm": "上海\u200f物流",
    "emoji": "顺丰速运🚚📦",
    "fullwidth_revenue": "１２３",
    "arabic_digits": "١٢٣",
}

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"
COLUMNS = "ABCDEFGHIJ"


def _cell(column: int, row: int, value) -> str:
    ref = f"{COLUMNS[column]}{row}"
    if value is None:
        return ""
    if isinstance(value, Shared):
        return f'<c t="s"><v>{value.index}</v></c>'  # no reference: the shortest cell
    if isinstance(value, Formula):
        return f'<c r="{ref}"><f>{escape(value.text.lstrip("="))}</f></c>'
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>" if column == 0 else f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def _row(number: int, values) -> str:
    cells = "".join(_cell(i, number, v) for i, v in enumerate(values))
    return f"<row>{cells}</row>"


class Shared:
    """A cell holding the n-th string of the workbook's shared strings."""

    def __init__(self, index: int):
        self.index = index


class Formula:
    """A real formula cell (not text): openpyxl reads it with data_type 'f'."""

    def __init__(self, text: str):
        self.text = text


def workbook(
    path: Path, rows, *, padding: int = 0, extra: dict | None = None, shared=(), level: int = 6
) -> Path:
    """Stream an .xlsx with the template's header and `rows` (an iterable of value lists).

    `padding` bytes of blanks go into the sheet before its end (a zip bomb when
    large); `shared` are the shared strings that Shared(n) cells name.
    """
    strings = "".join(f"<si><t>{escape(text)}</t></si>" for text in shared)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _ROOT_RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        z.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            f'count="{len(shared)}" uniqueCount="{len(shared)}">{strings}</sst>',
        )
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            buffer = io.StringIO()
            buffer.write(_SHEET_START)
            buffer.write(_row(1, HEADERS))
            if isinstance(rows, RawRows):
                sheet.write(buffer.getvalue().encode())
                buffer = io.StringIO()
                for chunk in rows:
                    sheet.write(chunk)
            else:
                for number, values in enumerate(rows, start=2):
                    buffer.write(_row(number, values))
                    if buffer.tell() > 1 << 20:
                        sheet.write(buffer.getvalue().encode())
                        buffer = io.StringIO()
            sheet.write(buffer.getvalue().encode())
            block = b" " * (1 << 20)
            for _ in range(padding >> 20):
                sheet.write(block)
            sheet.write(_SHEET_END.encode())
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return path


# --- the corpus -------------------------------------------------------------------------


def zip_bomb(folder: Path) -> Path:
    return workbook(
        folder / "zip-bomb.xlsx", [["B-1", "炸弹", "华东营业部"]], padding=300 << 20, level=1
    )


class RawRows:
    """Rows already written as sheet XML, in byte chunks (for the very large sheet)."""

    def __init__(self, chunks):
        self.chunks = chunks

    def __iter__(self):
        return iter(self.chunks)


def million_rows(folder: Path, rows: int = 1_000_000) -> Path:
    """1,000,000 rows: a numeric code and two shared strings (name, unit), ~75 bytes a row."""
    row = '<row><c><v>%d</v></c><c t="s"><v>0</v></c><c t="s"><v>1</v></c></row>'
    first, step = 1_000_001, 50_000

    def chunks():
        for start in range(first, first + rows, step):
            stop = min(start + step, first + rows)
            yield "".join([row % i for i in range(start, stop)]).encode()

    return workbook(
        folder / "million-rows.xlsx", RawRows(chunks()), shared=["批量客户", "华东营业部"], level=1
    )


def fake_workbooks(folder: Path) -> dict[str, Path]:
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("word/document.xml", "<document/>")
    fakes = {
        "pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n",
        "png": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64,
        "csv": '客户编码,客户名称,营业单位\nC-1,=HYPERLINK("http://evil"),华东\n'.encode(),
        "html": b"<html><body><script>alert(1)</script></body></html>",
        "xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        "docx": docx.getvalue(),
    }
    paths = {}
    for kind, content in fakes.items():
        paths[kind] = folder / f"fake-{kind}.xlsx"
        paths[kind].write_bytes(content)
    return paths


def formulas(folder: Path) -> Path:
    rows = [
        ["F-1", Formula('=HYPERLINK("http://evil.example/","点我")'), "华东营业部"],
        ["F-2", "正常客户", "华东营业部", Formula("=1+1")],
        ["F-3", Formula("=cmd|' /C calc'!A0"), "华东营业部"],
    ]
    return workbook(folder / "formulas.xlsx", rows)


def formula_texts(folder: Path) -> Path:
    rows = [[f"T-{i}", text, "华东营业部"] for i, text in enumerate(FORMULA_TEXTS, start=1)]
    return workbook(folder / "formula-texts.xlsx", rows)


def oversized(folder: Path, size: int = 11 << 20) -> Path:
    """A workbook padded with incompressible bytes past the 10 MB upload limit."""
    import random

    noise = random.Random(9).randbytes(size)
    return workbook(
        folder / "oversized.xlsx", [["O-1", "超大文件", "华东营业部"]],
        extra={"xl/media/noise.bin": noise},
    )  # fmt: skip


def xss_rows(folder: Path) -> Path:
    rows = [[f"X-{i}", text, "华东营业部", 10, text, text] for i, text in enumerate(XSS, 1)]
    return workbook(folder / "xss.xlsx", rows)


def unicode_rows(folder: Path) -> Path:
    rows = [
        ["U-1", UNICODE["rtl"], "华东营业部"],
        ["U-2", UNICODE["emoji"], "华东营业部"],
        ["U-3", "全角营业额", "华东营业部", UNICODE["fullwidth_revenue"]],
        ["U-4", "阿拉伯数字营业额", "华东营业部", UNICODE["arabic_digits"]],
    ]
    return workbook(folder / "unicode.xlsx", rows)


def build(folder: Path) -> dict[str, Path]:
    """Every file of the corpus in `folder` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "zip_bomb": zip_bomb(folder),
        "million_rows": million_rows(folder),
        "formulas": formulas(folder),
        "formula_texts": formula_texts(folder),
        "oversized": oversized(folder),
        "xss": xss_rows(folder),
        "unicode": unicode_rows(folder),
    }
    files |= {f"fake_{kind}": path for kind, path in fake_workbooks(folder).items()}
    return files


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "corpus"
    for name, path in build(target).items():
        print(f"{name:16} {path.stat().st_size:>12,} bytes  {path}")
