"""A compact filter form's fields, rendered in Python.

`{% filter_field form.status %}` gives what crispy-forms' `as_crispy_field`
gives for the widgets of a list's filter form (text, search and date inputs,
selects, checkboxes): the label, the control with the Bootstrap classes,
aria-invalid and aria-describedby on an error, and the error messages; without
crispy's template per field and Django's template per <option>, which were
most of a list page's cost. Every value is escaped; labels and messages are
the form's own (translated) texts.
"""

from html import escape

from django import forms, template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The class crispy-forms adds to a control, by widget.
_INPUT_CLASS = {
    forms.CheckboxInput: "checkboxinput form-check-input",
    forms.DateInput: "dateinput",
    forms.TextInput: "textinput",
    forms.NumberInput: "numberinput",
}


def _attrs(attrs: dict) -> str:
    """HTML attributes as Django's attrs.html writes them (True: bare, False/None: left out)."""
    out = []
    for name, value in attrs.items():
        if value is True:
            out.append(f" {name}")
        elif value is not False and value is not None:
            out.append(f' {name}="{escape(str(value))}"')
    return "".join(out)


def _extra_class(widget) -> str:
    for kind in type(widget).__mro__:
        if kind in _INPUT_CLASS:
            return _INPUT_CLASS[kind]
    return ""


def _select(field, attrs: dict, value) -> str:
    """A <select> with its options built in one pass (one value chosen)."""
    current = "" if value is None else str(value)
    options = []
    for choice, label in field.field.widget.choices:
        choice = "" if choice is None else str(choice)
        selected = " selected" if choice == current else ""
        options.append(f'<option value="{escape(choice)}"{selected}>{escape(str(label))}</option>')
    return f"<select{_attrs(attrs)}>{''.join(options)}</select>"


def control(field, *, invalid: bool = False) -> str:
    """The bound field's control (input or select) as HTML."""
    widget = field.field.widget
    attrs = field.build_widget_attrs(dict(widget.attrs))
    attrs = {"name": field.html_name, **attrs}
    classes = " ".join(
        c
        for c in (attrs.get("class", ""), _extra_class(widget), "is-invalid" if invalid else "")
        if c
    )
    if classes:
        attrs["class"] = classes
    if invalid:
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{field.auto_id}_error"
    if field.auto_id:
        attrs["id"] = field.auto_id
    value = field.value()
    if isinstance(widget, forms.Select):
        return _select(
            field, attrs, widget.format_value(value)[0] if value not in (None, "") else ""
        )
    if isinstance(widget, forms.CheckboxInput):
        if widget.check_test(value):
            attrs["checked"] = True
        return f'<input type="checkbox"{_attrs(attrs)}>'
    shown = widget.format_value(value)
    value_attr = "" if shown is None else f' value="{escape(str(shown))}"'
    name = attrs.pop("name")
    kind = attrs.pop("type", widget.input_type)
    return f'<input type="{escape(kind)}" name="{escape(name)}"{value_attr}{_attrs(attrs)}>'


def _errors(field) -> str:
    messages = "".join(
        f'<p id="error_{i}_{field.auto_id}"><strong>{escape(str(e))}</strong></p>'
        for i, e in enumerate(field.errors, start=1)
    )
    return f'<div id="{field.auto_id}_error" class="invalid-feedback">{messages}</div>'


@register.simple_tag
def filter_field(field) -> SafeString:
    """A filter form's field as crispy-forms' bootstrap5 pack lays it out: label
    above the control (a checkbox: after it), its errors below."""
    invalid = bool(field.errors)
    label = escape(str(field.label))
    errors = _errors(field) if invalid else ""
    if isinstance(field.field.widget, forms.CheckboxInput):
        html = (
            f'<div class="mb-3"><div id="div_{field.auto_id}" class="form-check">'
            f"{control(field, invalid=invalid)}"
            f'<label for="{field.auto_id}" class="form-check-label">{label}</label>'
            f"{errors}</div></div>"
        )
    else:
        html = (
            f'<div id="div_{field.auto_id}" class="mb-3">'
            f'<label for="{field.auto_id}" class="form-label">{label}</label>'
            f"{control(field, invalid=invalid)}{errors}</div>"
        )
    return mark_safe(html)  # noqa: S308 - every value above is escaped
