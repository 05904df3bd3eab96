"""Destructive or hard-to-undo actions ask before they go (static/js/app.js reads
data-confirm on the form or on the clicked button). A new form posting to one
of these URLs without a question fails here."""

import re
from pathlib import Path

from django.conf import settings

# URL names whose POST deletes, discards, returns, hands over or rewrites data.
ASK_FIRST = re.compile(
    r"delete|discard|disable|unpin|reassign|regrade|import_apply|two_factor_codes|urgent_resolve"
)
FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S)
# {% url %}, or {% link %} (crm_site.core.templatetags.crm_links) for ids.
ACTION = re.compile(r"""action="\{% (?:url|link) '([^']+)'""")


def forms_in_templates():
    for path in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        for form in FORM.findall(path.read_text()):
            name = ACTION.search(form.split(">", 1)[0])
            yield path.name, (name.group(1) if name else ""), form


def test_every_destructive_form_asks_first():
    checked, missing = 0, []
    for template, url_name, form in forms_in_templates():
        if ASK_FIRST.search(url_name):
            checked += 1
            if "data-confirm" not in form:
                missing.append(f"{template}: {url_name}")
    assert checked >= 8
    assert not missing, missing


def test_returning_a_report_and_anonymising_ask_first():
    root = Path(settings.BASE_DIR, "templates")
    review = (root / "visits/partials/_review_form.html").read_text()
    (return_button,) = re.findall(r"<button[^>]*value=\"return\"[^>]*>", review)
    assert "data-confirm=" in return_button
    assert "data-confirm=" in (root / "customers/anonymise.html").read_text()
    detail = (root / "complaints/complaint_detail.html").read_text()
    assert 'action.name == "return_visit" %} data-confirm=' in detail
