"""Checking a phone recording before it is stored (the phone channel's rules)."""

import os

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .. import rules


def recording_validate(upload) -> str:
    """Return the detected audio type of `upload`, or raise ValidationError.

    The extension, the declared content type and the file's first bytes must
    all say "audio" and agree; a renamed document or script is refused.
    """
    if upload.size > rules.MAX_RECORDING_BYTES:
        raise ValidationError(
            {
                "recording": _(
                    "The recording is %(size).1f MB; recordings may be at most %(limit)d MB."
                )
                % {
                    "size": upload.size / (1024 * 1024),
                    "limit": rules.MAX_RECORDING_BYTES // (1024 * 1024),
                }
            }
        )
    ext = os.path.splitext(os.path.basename(upload.name or ""))[1].lower()
    allowed = ", ".join(sorted(e.lstrip(".") for e in rules.ALLOWED_EXTENSIONS))
    if ext not in rules.ALLOWED_EXTENSIONS or not rules.declared_type_is_audio(
        getattr(upload, "content_type", "")
    ):
        raise ValidationError(
            {
                "recording": _("Only audio recordings can be attached (%(types)s).")
                % {"types": allowed}
            }
        )
    upload.seek(0)
    head = upload.read(64)
    upload.seek(0)
    detected = rules.sniff_audio(head)
    if detected is None or detected not in rules.ALLOWED_EXTENSIONS[ext]:
        raise ValidationError(
            {
                "recording": _(
                    "This file is not an audio recording of the type its name says (%(ext)s)."
                )
                % {"ext": ext.lstrip(".")}
            }
        )
    return detected
