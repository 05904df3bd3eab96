"""The cargo profile of a logistics customer (物流客户的需求): what it ships, how,
with which equipment and under which delivery terms.

The multi-choice parts (transport modes, equipment, special handling) are kept
on the card as a comma-separated list of codes ("cold_chain,tail_lift"): one
short text column each, which every database can filter with a regular
expression on the code's boundaries (`has_code`). No ORM here besides the
lookups it builds.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

SEPARATOR = ","


class TransportMode(models.TextChoices):
    ROAD = "road", _("Road")
    RAIL = "rail", _("Rail")
    AIR = "air", _("Air")
    SEA = "sea", _("Sea")
    EXPRESS = "express", _("Express")
    MULTIMODAL = "multimodal", _("Multimodal")
    CITY = "city", _("City delivery")


class LoadType(models.TextChoices):
    LTL = "ltl", _("LTL (less than truckload)")
    FTL = "ftl", _("FTL (full truckload)")
    BOTH = "both", _("LTL and FTL")


class Equipment(models.TextChoices):
    COLD_CHAIN = "cold_chain", _("Cold chain")
    TAIL_LIFT = "tail_lift", _("Tail lift")
    CONTAINER = "container", _("Container")
    FLATBED = "flatbed", _("Flatbed truck")
    BOX_TRUCK = "box_truck", _("Box truck")
    HAZMAT_VEHICLE = "hazmat_vehicle", _("Dangerous-goods vehicle")
    FORKLIFT = "forklift", _("Forklift at the site")


class Handling(models.TextChoices):
    DANGEROUS = "dangerous", _("Dangerous goods")
    FRAGILE = "fragile", _("Fragile")
    TEMPERATURE = "temperature", _("Temperature controlled")
    VALUABLE = "valuable", _("High value")
    OVERSIZED = "oversized", _("Oversized or overweight")
    MOISTURE = "moisture", _("Keep dry")


class Density(models.TextChoices):
    HEAVY = "heavy", _("Heavy goods")
    LIGHT = "light", _("Light, bulky goods")
    MIXED = "mixed", _("Mixed")


# The profile's columns on the card, in the card form's order (the form, the
# card's change history and the .xlsx export all list them so).
FIELDS = (
    "cargo_goods",
    "cargo_size",
    "cargo_weight",
    "cargo_density",
    "special_handling",
    "packaging",
    "transport_modes",
    "load_type",
    "equipment",
    "delivery_windows",
    "appointment_required",
    "receipt_return",
    "shipments_per_month",
    "tonnage_per_month",
)

# The card's multi-choice columns and their choices.
MULTI_CHOICES: dict[str, type[models.TextChoices]] = {
    "transport_modes": TransportMode,
    "equipment": Equipment,
    "special_handling": Handling,
}


def split(text: str | None) -> list[str]:
    """The codes of a stored list ("" -> [])."""
    return [part for part in (text or "").split(SEPARATOR) if part]


def join(codes, choices: type[models.TextChoices]) -> str:
    """The stored list of `codes`, in the choices' order, each once."""
    chosen = set(codes)
    return SEPARATOR.join(value for value in choices.values if value in chosen)


def labels(text: str | None, choices: type[models.TextChoices]) -> list[str]:
    """The labels of a stored list, in the choices' order."""
    chosen = set(split(text))
    return [str(label) for value, label in choices.choices if value in chosen]


def has_code(field: str, code: str) -> Q:
    """Rows whose list in `field` holds `code`."""
    return Q(**{f"{field}__regex": rf"(^|{SEPARATOR}){code}({SEPARATOR}|$)"})


def load_type_q(load: str) -> Q:
    """Customers shipping `load` (LTL or FTL): those that ship it only, or both."""
    if load == LoadType.BOTH:
        return Q(load_type=LoadType.BOTH)
    return Q(load_type__in=[load, LoadType.BOTH])


class CodeListValidator:
    """Every code of a stored list is one of `choices`."""

    def __init__(self, choices: type[models.TextChoices]):
        self.choices = choices

    def __call__(self, value: str) -> None:
        unknown = [code for code in split(value) if code not in self.choices.values]
        if unknown:
            raise ValidationError(
                _("Unknown values: %(values)s."), params={"values": "、".join(unknown)}
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, CodeListValidator) and other.choices is self.choices

    def deconstruct(self):
        return ("customers.cargo.CodeListValidator", (self.choices,), {})


def profile(customer) -> dict:
    """The cargo profile as the card shows it: labels for the choices and the
    lists, and whether anything is recorded."""
    values = {
        "goods": customer.cargo_goods,
        "size": customer.cargo_size,
        "weight": customer.cargo_weight,
        "density": customer.get_cargo_density_display() if customer.cargo_density else "",
        "handling": labels(customer.special_handling, Handling),
        "packaging": customer.packaging,
        "modes": labels(customer.transport_modes, TransportMode),
        "load_type": customer.get_load_type_display() if customer.load_type else "",
        "equipment": labels(customer.equipment, Equipment),
        "windows": customer.delivery_windows,
        "appointment": customer.appointment_required,
        "receipt_return": customer.receipt_return,
        "shipments": customer.shipments_per_month,
        "tonnage": customer.tonnage_per_month,
    }
    values["recorded"] = any(value not in ("", None, [], False) for value in values.values())
    return values
