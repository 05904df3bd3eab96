"""A waybill (运单): one row per number, linked from the complaints, daily-report
entries and urgent reports that name it. Imported by customers/models.py, so
the model belongs to the customers app.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm_site.core.models import CreatedAt


class Waybill(CreatedAt):
    """A waybill number, stored normalised (customers.waybills.numbers)."""

    number = models.CharField(_("waybill number"), max_length=32, unique=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("waybill")
        verbose_name_plural = _("waybills")

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return reverse("waybills:detail", args=[self.number])


class TrackingEvent(models.Model):
    """A tracking event of a waybill pushed by the transport system (TMS): its
    status at a time and place. `event_id` is the sender's own id, so a resent
    event is recorded once."""

    waybill = models.ForeignKey(
        Waybill, on_delete=models.CASCADE, related_name="tracking", verbose_name=_("waybill")
    )
    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    status = models.CharField(_("tracking status"), max_length=50)
    at = models.DateTimeField(_("time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    outlet = models.ForeignKey(
        "customers.Outlet",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("outlet"),
    )
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")
        indexes = [models.Index(fields=["waybill", "-at"])]

    def __str__(self) -> str:
        return f"{self.waybill} {self.status}"
