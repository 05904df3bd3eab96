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
