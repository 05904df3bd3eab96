"""Forms opt into the input rules (crm_site.core.inputs.CleanInputMixin); nothing
patches Django's fields for the whole process."""

import importlib

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.forms.forms import BaseForm
from django.urls import get_resolver, reverse
from django_filters import FilterSet

from crm_site.core.inputs import (
    CleanInputForm,
    CleanInputMixin,
    refuse_direction_controls,
)
from crm_site.core.models import WorkCalendarDay

RTL = "\u202egnp.exe"
DIRECTION_REFUSED = "请删除文本中不可见的文字方向控制符"
PROJECT = ("crm_site", "customers", "visits", "complaints", "reports")


class NoteForm(CleanInputForm):
    note = forms.CharField()


class PlainNoteForm(forms.Form):
    note = forms.CharField()


def all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from all_subclasses(sub)


def project_modules_loaded():
    assert get_resolver().url_patterns  # every view module, and the forms they import
    for config in apps.get_app_configs():
        if config.name.startswith(PROJECT):
            for name in ("admin", "forms", "filters"):
                try:
                    importlib.import_module(f"{config.name}.{name}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{config.name}.{name}":
                        raise


def test_djangos_char_field_is_left_as_django_ships_it():
    assert refuse_direction_controls not in forms.CharField.default_validators
    assert PlainNoteForm({"note": RTL}).is_valid()


def test_a_form_that_opts_in_refuses_direction_marks_in_its_text_fields():
    form = NoteForm({"note": RTL})
    assert not form.is_valid()
    assert [e.code for e in form.errors.as_data()["note"]] == ["direction_controls"]
    assert NoteForm({"note": "普通文字 👍"}).is_valid()


def test_a_text_field_a_form_adds_in_its_own_init_is_covered_too():
    class LateForm(CleanInputForm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["late"] = forms.CharField()

    assert not LateForm({"late": RTL}).is_valid()


def test_every_form_of_the_project_opts_into_the_input_rules():
    project_modules_loaded()
    forms_of_project = [
        cls for cls in all_subclasses(BaseForm) if cls.__module__.startswith(PROJECT)
    ]
    assert len(forms_of_project) > 30
    assert [cls for cls in forms_of_project if not issubclass(cls, CleanInputMixin)] == []
    filtersets = [cls for cls in all_subclasses(FilterSet) if cls.__module__.startswith(PROJECT)]
    assert filtersets
    assert [cls for cls in filtersets if not issubclass(cls._meta.form, CleanInputMixin)] == []


def test_every_admin_page_of_the_project_uses_forms_with_the_input_rules():
    project_modules_loaded()
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith(PROJECT):
            continue
        assert issubclass(model_admin.form, CleanInputMixin), model
        for inline in model_admin.inlines:
            assert issubclass(inline.form, CleanInputMixin), inline


@pytest.mark.django_db
def test_the_admin_refuses_direction_marks_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:core_workcalendarday_add"),
        {"date": "2026-12-25", "note": RTL},
    )
    assert response.status_code == 200
    assert DIRECTION_REFUSED in response.content.decode()
    assert not WorkCalendarDay.objects.exists()


@pytest.mark.django_db
def test_sign_in_refuses_direction_marks_in_the_user_name(client):
    response = client.post(reverse("login"), {"username": RTL, "password": "x"})
    assert DIRECTION_REFUSED in response.content.decode()
