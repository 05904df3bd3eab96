"""Personal data of a customer's people (China's PIPL, 个人信息保护法): export on
request, and anonymise on request.

What is personal here: the contacts' names, organisations, positions,
addresses, phones, e-mails, WeChat ids, care dates and notes; the complainant's
name and phone on the customer's complaints; the names of the people who
answered its surveys; and the copies of those values in the card's contact
history. Anonymising replaces them and keeps everything the
statistics count (the contacts themselves, visits, daily-report entries,
complaints and their figures). Free text that people typed (a visit's notes, a
complaint's content) is not rewritten: it is business text, not a personal-data
field; the README says so.

Both actions are audited (counts only: the audit log holds no personal data).
"""

import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from crm_site.accounts.models import Role, User
from crm_site.core.services import audit
from crm_site.core.xlsx import safe_cell

from .models import Contact, Customer, CustomerChange
from .services.book import CONTACT_FIELDS

# Every contact field (CONTACT_FIELDS) is personal data: exported, and these blanked.
BLANKED = ["organisation", "position", "address", "mobile", "phone", "email", "wechat", "notes"]
COMPLAINT_FIELDS = ["number", "received_at", "complainant", "contact_phone"]


def may_handle_personal_data(user) -> bool:
    """Supervisors and up (of the customer's unit: the caller fetched it through scope)."""
    return user.is_at_least(Role.SUPERVISOR)


def _complaints(customer: Customer):
    from complaints.models import Complaint

    return Complaint.objects.filter(customer=customer).order_by("received_at", "pk")


def _value(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def customer_personal_data(*, customer: Customer) -> dict:
    """Everything personal the book holds for one customer, as plain values."""
    contacts = customer.contacts.order_by("-is_primary", "name", "pk")
    return {
        "customer": {"code": customer.code, "name": customer.name},
        "exported_at": timezone.localtime().isoformat(timespec="seconds"),
        "contacts": [
            {field: _value(getattr(c, field)) for field in CONTACT_FIELDS} for c in contacts
        ],
        "complaints": [
            {
                "number": c.number,
                "received_at": timezone.localtime(c.received_at).isoformat(timespec="minutes"),
                "complainant": c.complainant,
                "contact_phone": c.contact_phone,
            }
            for c in _complaints(customer)
        ],
    }


def _label(model, field: str) -> str:
    if model is Contact and field == "name":
        return _("Contact name")  # the card's label: "name" alone reads as a company's
    return str(model._meta.get_field(field).verbose_name)


def write_personal_data_xlsx(data: dict, stream) -> None:
    """The export as a workbook: one sheet of contacts, one of complainants."""
    from complaints.models import Complaint

    wb = Workbook(write_only=True)
    sheets = (
        (_("Contacts"), Contact, CONTACT_FIELDS, data["contacts"]),
        (_("Complainants"), Complaint, COMPLAINT_FIELDS, data["complaints"]),
    )
    for title, model, fields, rows in sheets:
        ws = wb.create_sheet(str(title))
        ws.append([safe_cell(ws, _label(model, f)) for f in fields])
        for row in rows:
            ws.append([safe_cell(ws, _plain(row[f])) for f in fields])
    wb.save(stream)


def _plain(value):
    if isinstance(value, bool):
        return _("Yes") if value else ""
    return "" if value is None else value


def customer_personal_data_export(
    *, customer: Customer, actor: User, fmt: str, request=None
) -> tuple[bytes, dict]:
    """(file content, the data) of the export, audited with its counts."""
    import io

    data = customer_personal_data(customer=customer)
    if fmt == "json":
        content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    else:
        buffer = io.BytesIO()
        write_personal_data_xlsx(data, buffer)
        content = buffer.getvalue()
    audit(
        actor=actor,
        action="customers.personal_data_export",
        obj=customer,
        summary=f"{customer.code}: {len(data['contacts'])} / {len(data['complaints'])}",
        data={
            "format": fmt,
            "contacts": len(data["contacts"]),
            "complaints": len(data["complaints"]),
        },
        request=request,
    )
    return content, data


@transaction.atomic
def customer_anonymise(*, customer: Customer, actor: User, reason: str, request=None) -> dict:
    """Replace the personal data of the customer's contacts and complainants.

    The rows stay (counts, visits, complaint figures do not change); their
    personal fields are blanked or replaced by a placeholder, and the copies
    kept in the card's contact history are dropped. Running it again changes
    nothing more. Returns the counts, which the audit row keeps.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    placeholder = _("Anonymised contact")
    contacts = list(customer.contacts.order_by("pk"))
    for number, contact in enumerate(contacts, start=1):
        contact.name = f"{placeholder} {number}"
        for field in BLANKED:
            setattr(contact, field, "")
        contact.care_date = None
        contact.care_kind = ""
    Contact.objects.bulk_update(contacts, ["name", *BLANKED, "care_date", "care_kind"])
    complaints = _complaints(customer).update(complainant=_("Anonymised"), contact_phone="")
    # The names of the people who answered surveys (customer voice).
    customer.service_surveys.exclude(respondent="").update(respondent="")
    customer.enterprise_surveys.exclude(interviewee="").update(interviewee="")
    history = 0
    for change in customer.changes.filter(kind=CustomerChange.Kind.CONTACT):
        fields = change.changes.get("fields", {})
        change.changes = {
            "contact": placeholder,
            "action": change.changes.get("action", ""),
            "fields": {name: ["", ""] for name in fields},
        }
        change.save(update_fields=["changes"])
        history += 1
    CustomerChange.objects.create(
        customer=customer,
        actor=actor,
        kind=CustomerChange.Kind.CONTACT,
        changes={"contact": "", "action": "anonymised", "fields": {}},
    )
    counts = {"contacts": len(contacts), "complaints": complaints, "history": history}
    audit(
        actor=actor,
        action="customers.anonymise",
        obj=customer,
        summary=f"{customer.code}: {reason.strip()[:200]}",
        data=counts,
        request=request,
    )
    return counts


def card_section(request, customer) -> dict | None:
    """The card's "personal data" box (registered in CustomersConfig.ready())."""
    if not may_handle_personal_data(request.user):
        return None
    return {"template": "customers/partials/_privacy.html", "customer": customer}
