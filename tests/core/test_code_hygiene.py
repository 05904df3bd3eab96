"""Comments and docstrings of the application code stand on their own.

A reader of the repository cannot follow a pointer to a folder beside it, a
design document that is not in it or an issue tracker, and a timing measured
once on one machine goes stale in the comment that quotes it. A comment says
why in its own words; figures belong in the README and the benchmark.
"""

import ast
import io
import re
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["crm_site", "customers", "visits", "complaints", "reports"]

RULES = [
    ("a path into the shared folder", re.compile(r"\.\./shared|\bshared/")),
    ("a document outside the repository", re.compile(r"\b(?:DESIGN|CONVENTIONS)\.md\b")),
    ("a seed document number", re.compile(r"\bseed\s+\d{2,}\b", re.IGNORECASE)),
    ("an issue number", re.compile(r"\bissues?\s*#?\d+|(?<![\w&/])#\d+\b", re.IGNORECASE)),
    ("a measured timing", re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:ms|s|µs|us)\b(?![\w/])")),
]


def application_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def comments_and_docstrings(source: str):
    """(line number, text) of every comment and every docstring line."""
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            docstring = ast.get_docstring(node, clean=False)
            if docstring is not None:
                start = node.body[0].lineno
                for offset, line in enumerate(docstring.splitlines()):
                    yield start + offset, line


def offences(source: str) -> list[str]:
    found = []
    for lineno, text in comments_and_docstrings(source):
        for what, pattern in RULES:
            match = pattern.search(text)
            if match:
                found.append(f"{lineno}: {what} ({match.group(0)!r})")
    return found


def test_the_scan_covers_every_app_package_and_skips_migrations():
    modules = application_modules()
    assert {path.relative_to(ROOT).parts[0] for path in modules} == set(PACKAGES)
    assert not any("migrations" in path.parts for path in modules)


@pytest.mark.parametrize(
    "comment",
    [
        "# See ../shared/DESIGN.md for the roles.",
        '"""Scope as in shared/DESIGN.md."""',
        '# Roles: DESIGN.md "Who uses it".',
        "# Keyword-only services (CONVENTIONS.md).",
        "# Three paper forms of seed 003.",
        "# Customer voice (issue 12).",
        "# Fixed in #42.",
        "# The JIT compiled it for 2 s to run it in 0.3 s.",
        "# The count takes 12 ms on a large book.",
    ],
)
def test_a_pointer_outside_the_repository_or_a_timing_is_caught(comment):
    assert offences(comment + "\n")


@pytest.mark.parametrize(
    "source",
    [
        "# Counting stops at 10,000: the first and last page cost the same.\n",
        '"""Every 5 minutes: builds still pending are sent again."""\n',
        '# Two visits a month for grade A (README, "Visits").\n',
        'MESSAGE = "not routed within 30 s"  # a message, not a comment\n',
        "# The icon keeps its margin (class ms-1).\n",
    ],
)
def test_a_comment_that_stands_on_its_own_passes(source):
    assert offences(source) == []


def test_no_comment_or_docstring_points_outside_the_repository():
    found = []
    for path in application_modules():
        relative = path.relative_to(ROOT)
        found += [f"{relative}:{line}" for line in offences(path.read_text(encoding="utf-8"))]
    assert found == [], "Say why in the comment itself:\n" + "\n".join(found)


def view_modules() -> list[Path]:
    return [
        path
        for path in application_modules()
        if path.name == "views.py" or (path.parent.name == "views" and path.suffix == ".py")
    ]


def test_the_view_scan_finds_the_views_of_every_app():
    folders = {path.relative_to(ROOT).parts[0] for path in view_modules()}
    assert folders == set(PACKAGES)


def test_views_read_through_selectors_not_model_managers():
    """A view parses, calls a selector or a service, and renders: a query built
    in a view would be one the export jobs, the API and the benchmark cannot share."""
    manager = re.compile(r"\b[A-Z]\w*\.objects\b")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in view_modules()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if manager.search(line)
    ]
    assert found == [], "Read through the app's selectors:\n" + "\n".join(found)
