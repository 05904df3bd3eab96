"""Messages that the REST framework's catalogue also translates, differently
from Django's own: listed here so that makemessages keeps them in the
project's catalogue (locale/), which takes precedence over every app's, and
the forms keep Django's wording (这个字段是必填项。) with the API installed."""

from django.utils.translation import gettext_noop

DJANGO_WORDING = [
    gettext_noop("Enter a valid URL."),
    gettext_noop("Enter a valid email address."),
    gettext_noop("No file was submitted."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("This field is required."),
    gettext_noop(
        "Upload a valid image. The file you uploaded was either not an image or a corrupted image."
    ),
    gettext_noop("Value must be valid JSON."),
    gettext_noop("content"),
]
