"""Reads of waybills' tracking events (pushed by the transport system)."""

from .models import TrackingEvent, Waybill

TRAIL_LENGTH = 50


def tracking(*, waybill: Waybill) -> dict:
    """The latest tracking event and the trail, newest first."""
    trail = list(
        TrackingEvent.objects.filter(waybill=waybill).select_related("outlet")[:TRAIL_LENGTH]
    )
    return {"latest_status": trail[0] if trail else None, "trail": trail}


def tracking_of(waybills) -> list[dict]:
    """Each waybill (a queryset or list) with its latest status and trail, by number;
    the caller has checked that its record is in the user's scope."""
    return [
        {"number": waybill.number, **tracking(waybill=waybill)}
        for waybill in sorted(waybills, key=lambda w: w.number)
    ]
