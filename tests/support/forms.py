"""POST data a browser would send for a form as a page rendered it."""

import datetime


def _posted(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%dT%H:%M")
    return value


def page_post(form, **changes) -> dict:
    """Every field of `form` (with its prefix) at the value the page shows, then
    `changes` (unprefixed names); an unticked checkbox or an empty value is left out."""
    data = {}
    for bound in form:
        value = bound.value()
        if value is False or value is None:
            continue  # an unticked box, an empty choice: a browser sends nothing or ""

        if isinstance(value, list | tuple):
            data[bound.html_name] = [_posted(v) for v in value]
        else:
            data[bound.html_name] = "on" if value is True else _posted(value)
    for name, value in changes.items():
        data[form.add_prefix(name)] = value
    return data
