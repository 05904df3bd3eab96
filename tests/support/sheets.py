"""Reading a downloaded workbook's sheet back in a test."""


def rows(sheet) -> list[list]:
    """Every row of `sheet`, as lists of cell values."""
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def row_starting(table, text) -> int:
    """Index of the first row whose first cell starts with `text`."""
    return next(
        i for i, row in enumerate(table) if isinstance(row[0], str) and row[0].startswith(text)
    )
