"""Every input of the grading rule tables has a label a screen reader announces
(axe: "Form elements must have labels"); the column header alone is not one."""

import re

import pytest

pytestmark = pytest.mark.django_db


def test_every_grade_and_band_input_has_its_own_label(client, admin_user, book):
    client.force_login(admin_user)
    html = client.get("/customers/grading/").content.decode()
    page = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    ids = re.findall(r'<input [^>]*id="(id_(?:grades|bands)-\d+-\w+)"', page)
    assert "id_grades-0-code" in ids and "id_bands-0-points" in ids
    for input_id in ids:
        assert f'for="{input_id}"' in page or f'id="{input_id}" class="form-check-input"' in page
    assert '<label class="visually-hidden" for="id_grades-0-min_points">最低分值</label>' in page
