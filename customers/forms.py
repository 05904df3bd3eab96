"""Forms of the customer book: parse and validate input; writes go through services."""

import functools
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import construct_instance
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Region, Role
from crm_site.accounts.scope import is_staff_role
from crm_site.core.forms import IdempotentFormMixin
from crm_site.core.inputs import (
    CleanInputForm,
    CleanInputModelForm,
    HalfWidthDecimalField,
    HalfWidthIntegerField,
)
from crm_site.core.versioning import VersionedFormMixin

from . import cargo, grading, services, xlsx
from .models import CODE_TAKEN, Contact, Customer, LogisticsService, Nature, Scale, Trend
from .outlets.fields import OutletChoiceField
from .outlets.selectors import outlet_choices


class CodeListField(forms.MultipleChoiceField):
    """Tick boxes for a stored list of codes (customers.cargo): shown from and
    cleaned to the comma-separated text the card keeps."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, choices_class, **kwargs):
        self.choices_class = choices_class
        kwargs.setdefault("required", False)
        super().__init__(choices=choices_class.choices, **kwargs)

    def prepare_value(self, value):
        return cargo.split(value) if isinstance(value, str) else value

    def clean(self, value):
        return cargo.join(super().clean(value), self.choices_class)

    def has_changed(self, initial, data):
        return super().has_changed(self.prepare_value(initial), data)


CUSTOMER_FIELDS = [
    "code",
    "name",
    "nature",
    "scale",
    "annual_revenue",
    "trend",
    "industry",
    "status",
    "unit",
    "region",
    "address",
    "sales_owner",
    "visiting_person",
    "services",
    "notes",
    "serving_outlet",
    *cargo.FIELDS,
]


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return xlsx.person_label(obj)


class CustomerFieldsForm(CleanInputModelForm):
    """What a customer card may hold, for the card's form and for each row of an
    import (CustomerImportRowForm): the model's fields with their validators, and
    the rules across fields."""

    class Meta:
        model = Customer
        fields = CUSTOMER_FIELDS
        field_classes = {
            "sales_owner": PersonChoiceField,
            "visiting_person": PersonChoiceField,
            "annual_revenue": HalfWidthDecimalField,
            "serving_outlet": OutletChoiceField,
            "tonnage_per_month": HalfWidthDecimalField,
            "shipments_per_month": HalfWidthIntegerField,
        }

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip()

    def is_member(self, person, unit) -> bool:
        return person.memberships.filter(unit=unit).exists()

    def clean(self):
        data = super().clean()
        unit, person = data.get("unit"), data.get("visiting_person")
        if unit and person and not self.is_member(person, unit):
            self.add_error(
                "visiting_person",
                _("%(person)s is not a member of %(unit)s.") % {"person": person, "unit": unit},
            )
        outlet = data.get("serving_outlet")
        if unit and outlet and outlet.unit_id != unit.pk:
            self.add_error(
                "serving_outlet",
                _("%(outlet)s is an outlet of another unit.") % {"outlet": outlet},
            )
        return data


class CustomerForm(IdempotentFormMixin, VersionedFormMixin, CustomerFieldsForm):
    transport_modes = CodeListField(choices_class=cargo.TransportMode, label=_("Transport modes"))
    equipment = CodeListField(choices_class=cargo.Equipment, label=_("Equipment needed"))
    special_handling = CodeListField(
        choices_class=cargo.Handling, label=_("Dangerous goods or special handling")
    )
    override_reason = forms.CharField(
        label=_("Reason for the assignment exception"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Only when the visiting person is a salesperson of the customer's region: "
            "why this exception is needed. It is kept on the card."
        ),
    )

    class Meta(CustomerFieldsForm.Meta):
        # The card's own form also names the green channel's hotline owner
        # (not an import column: a big account's arrangement, set by hand).
        fields = [*CUSTOMER_FIELDS, "hotline_owner"]
        field_classes = {
            **CustomerFieldsForm.Meta.field_classes,
            "hotline_owner": PersonChoiceField,
        }
        widgets = {
            "services": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "annual_revenue": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "tonnage_per_month": forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            "shipments_per_month": forms.NumberInput(attrs={"min": "0"}),
        }
        error_messages = {"code": {"unique": CODE_TAKEN}}
        help_texts = {
            "code": _("Unique; letters, digits, '-', '_' or '.'."),
            "annual_revenue": _("In 10k CNY (万元)."),
            "cargo_goods": _("What the customer ships, e.g. 电子产品、服装、生鲜."),
            "cargo_size": _("Typical size, e.g. 60×40×40 cm, or pallets 1.2×1.0 m."),
            "cargo_weight": _("Typical weight, e.g. 5–20 kg a piece."),
            "delivery_windows": _("When deliveries are accepted, e.g. 工作日 9:00–17:00."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            del self.fields[self.token_field]  # only a new card needs one
        units = services.scope_units(user)
        people = services.scope_users(user)
        self.fields["unit"].queryset = units
        self.fields["sales_owner"].queryset = people
        self.fields["visiting_person"].queryset = people
        self.fields["hotline_owner"].queryset = people
        self.fields["hotline_owner"].help_text = _(
            "Who answers this customer's 24-hour hotline (green channel)."
        )
        self.fields["services"].queryset = LogisticsService.objects.all()
        self.fields["services"].required = False
        current = self.instance.serving_outlet if self.instance.serving_outlet_id else None
        self.fields["serving_outlet"].queryset = outlet_choices(user=user, keep=current)
        self.fields["serving_outlet"].empty_label = _("None")
        if is_staff_role(user):
            # Staff keep their own customers; reassigning is a supervisor's job.
            self.fields["visiting_person"].disabled = True
            self.fields["hotline_owner"].disabled = True
            if not self.instance.pk:
                self.initial["visiting_person"] = user.pk
        if not user.is_at_least(Role.SUPERVISOR):
            del self.fields["override_reason"]
        elif self.instance.pk:
            self.initial.setdefault("override_reason", self.instance.assignment_override_reason)
        if not self.instance.pk and len(units) == 1:
            self.initial.setdefault("unit", units[0].pk)
        self._service_categories = dict(LogisticsService.objects.values_list("pk", "category"))

    def sales_map_json(self) -> str:
        """Region id -> its salespeople's ids, so the page can show the exception
        reason only when it is needed (static/js/customers.js)."""
        import json

        pairs = Region.salespeople.through.objects.values_list("region_id", "user_id")
        mapping: dict[str, list[int]] = {}
        for region_id, user_id in pairs:
            mapping.setdefault(str(region_id), []).append(user_id)
        return json.dumps(mapping)

    def service_fields(self) -> dict:
        """The model fields for customer_create / customer_update."""
        return {
            name: self.cleaned_data[name]
            for name in self._meta.fields or CUSTOMER_FIELDS
            if name != "services" and name in self.cleaned_data
        }

    def services_by_category(self):
        """The services checkboxes grouped like the seed catalogue (运输 / 仓储 / 信息 / 财务)."""
        groups = {value: [] for value, _label in LogisticsService.Category.choices}
        for widget in self["services"]:
            pk = widget.data["value"].value if hasattr(widget.data["value"], "value") else None
            groups.setdefault(self._service_categories.get(pk), []).append(widget)
        return [
            (label, groups[value])
            for value, label in LogisticsService.Category.choices
            if groups.get(value)
        ]


# Import columns naming a related row, which the importer finds within the
# uploader's scope before the row reaches the form.
FOUND_FIELDS = ("unit", "region", "sales_owner", "visiting_person", "serving_outlet")


class FoundRowField(forms.Field):
    """A unit, region or person an import row names, already found by the importer
    within the uploader's scope: taken as given, without a query per row."""

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, *, queryset, limit_choices_to=None, to_field_name=None, blank=False, **kw):
        self.model = queryset.model
        super().__init__(**kw)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not isinstance(value, self.model):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return value


class CustomerImportRowForm(CustomerFieldsForm):
    """One row of an import (customers.services.imports), with its labels already
    turned into stored values and its unit, region and people found in scope.

    The fields, their validators and the rules across them are the card's
    (CustomerFieldsForm); only the wording suits a spreadsheet.
    """

    class Meta(CustomerFieldsForm.Meta):
        fields = [name for name in CUSTOMER_FIELDS if name not in ("code", "services")]
        field_classes = {
            **CustomerFieldsForm.Meta.field_classes,
            **dict.fromkeys(FOUND_FIELDS, FoundRowField),
        }
        error_messages = {
            "name": {"required": _("The customer name is required.")},
            "unit": {"required": _("The service unit is required.")},
            "annual_revenue": {
                "invalid": _("Enter a number, e.g. 1250.50."),
                "min_value": _("Revenue cannot be negative."),
                "max_decimal_places": _("At most two decimals."),
            },
        }

    def __init__(self, data, *, instance: Customer, members: set[tuple[int, int]]):
        super().__init__(data, instance=instance)
        self.members = members  # (user id, unit id) of the people in scope
        language = get_language()
        for key in xlsx.CHOICES:
            self.fields[key].error_messages["invalid_choice"] = _unknown_value(key, language)

    def is_member(self, person, unit) -> bool:
        return (person.pk, unit.pk) in self.members

    def _get_validation_exclusions(self):
        # The related rows were found by the importer among existing ones: the
        # model need not query each again to prove it exists.
        return super()._get_validation_exclusions() | set(FOUND_FIELDS)

    def _post_clean(self):
        # The model's fields and validators, as ModelForm runs them, without the
        # checks that ask the database once per row: no field of the row is
        # unique (the code is matched by the importer), and the check
        # constraints are proved by the database when the file is applied, in
        # the one transaction that writes every row or none. (What the revenue
        # constraint states is also its field's validator, run here.)
        try:
            self.instance = construct_instance(self, self.instance, self._meta.fields)
        except ValidationError as exc:
            self._update_errors(exc)
        try:
            self.instance.full_clean(
                exclude=self._get_validation_exclusions(),
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            self._update_errors(exc)


@functools.lru_cache
def _unknown_value(key: str, language: str) -> str:
    """The message for a value not among a choice column's labels, in `language`
    (Django fills in %(value)s); the accepted labels are written as in the file."""
    accepted = "、".join(xlsx.choice_label(key, v) for v, _l in xlsx.CHOICES[key].choices)
    message = gettext("Unknown value %(value)s; use one of %(accepted)s.")
    return message % {"value": "%(value)s", "accepted": accepted}


class ContactForm(IdempotentFormMixin, VersionedFormMixin, CleanInputModelForm):
    class Meta:
        model = Contact
        fields = [
            "name",
            "position",
            "organisation",
            "mobile",
            "phone",
            "email",
            "wechat",
            "address",
            "care_kind",
            "care_date",
            "is_primary",
            "notes",
        ]
        widgets = {"care_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        labels = {"name": _("Contact name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields[self.token_field]  # only a new contact needs one

    def service_fields(self) -> dict:
        """The model fields for contact_create / contact_update."""
        return {name: self.cleaned_data[name] for name in self.Meta.fields}

    def clean(self):
        data = super().clean()
        if data.get("care_date") and not data.get("care_kind"):
            self.add_error("care_kind", _("Say whether the date is a birthday or an anniversary."))
        if not (data.get("mobile") or data.get("phone") or data.get("email") or data.get("wechat")):
            raise ValidationError(_("Give at least one way to reach this contact."))
        return data


class PinGradeForm(CleanInputForm):
    grade = forms.ChoiceField(label=_("Grade"))
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, rule: grading.Rule, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grade"].choices = [  # type: ignore[attr-defined]
            (g.code, g.code if g.name == g.code else f"{g.code} · {g.name}") for g in rule.grades
        ]


class ReassignForm(CleanInputForm):
    customers = forms.TypedMultipleChoiceField(coerce=int, choices=(), required=True)
    visiting_person = PersonChoiceField(
        label=_("New visiting person"), queryset=Customer.objects.none()
    )
    override_reason = forms.CharField(
        label=_("Reason for the assignment exception"), required=False, max_length=500
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visiting_person"].queryset = services.scope_users(user)
        self.fields["customers"].error_messages["required"] = _("Tick the customers to reassign.")

    def clean_customers(self):
        return self.cleaned_data["customers"]

    def full_clean(self):
        # The ticked ids are checked against the user's scope by the service.
        self.fields["customers"].choices = [
            (v, v) for v in (self.data.getlist("customers") if self.data else [])
        ]
        super().full_clean()


class ImportUploadForm(IdempotentFormMixin, CleanInputForm):
    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > xlsx.MAX_UPLOAD_BYTES:
            raise ValidationError(
                _("The file is larger than %(mb)s MB. Split it into several files.")
                % {"mb": xlsx.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel workbook ending in .xlsx (not .xls or .csv)."))
        return upload


# --- grading rules --------------------------------------------------------------


class SmallInputs:
    """Inputs of a formset laid out as a table row: small, and named for screen
    readers by their column (the row has no <label> elements)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name != "DELETE" and not field.widget.is_hidden:
                field.widget.attrs.setdefault("class", "form-control form-control-sm")
                # Table cells without a <label>: the column header, said to screen readers.
                field.widget.attrs.setdefault("aria-label", field.label)


class GradeForm(SmallInputs, CleanInputForm):
    code = forms.CharField(label=_("Code"), max_length=10)
    name = forms.CharField(label=_("Display name"), max_length=20)
    order = HalfWidthIntegerField(label=_("Order"), min_value=1, max_value=99)
    min_points = HalfWidthIntegerField(label=_("Minimum points"), min_value=0, max_value=10000)
    visits_per_month = HalfWidthIntegerField(label=_("Visits a month"), min_value=0, max_value=31)
    calls_per_week = HalfWidthIntegerField(label=_("Calls a week"), min_value=0, max_value=21)

    def clean_code(self):
        return self.cleaned_data["code"].strip()


class BandForm(SmallInputs, CleanInputForm):
    min = HalfWidthDecimalField(
        label=_("From (10k CNY)"), min_value=0, max_digits=14, decimal_places=2
    )
    points = HalfWidthIntegerField(label=_("Points"), min_value=0, max_value=10000)


GradeFormSet = forms.formset_factory(
    GradeForm, extra=1, can_delete=True, min_num=1, validate_min=True, max_num=12, validate_max=True
)
BandFormSet = forms.formset_factory(
    BandForm, extra=1, can_delete=True, max_num=20, validate_max=True
)

POINT_GROUPS = (("scale", Scale), ("trend", Trend), ("nature", Nature))


class RuleForm(CleanInputForm):
    """Points per scale, trend and nature, the note, and the fingerprint of the preview."""

    note = forms.CharField(
        label=_("What changed and why"),
        max_length=200,
        required=False,
        help_text=_("Kept with the version and on every grade change it causes."),
    )
    digest = forms.CharField(required=False, widget=forms.HiddenInput)
    # The rule version the editor was opened on (kept through previews): a
    # save after someone else saved a newer version is refused (StaleEdit).
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for group, choices in POINT_GROUPS:
            for value, label in choices.choices:
                self.fields[f"{group}_{value}"] = HalfWidthIntegerField(
                    label=label,
                    min_value=0,
                    max_value=10000,
                    initial=0,
                    widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
                )
        self.fields["note"].widget.attrs["class"] = "form-control"

    def groups(self):
        return [
            (group, [self[f"{group}_{value}"] for value, _label in choices.choices])
            for group, choices in POINT_GROUPS
        ]


PROBLEMS = {
    "no_grades": _("Define at least one grade."),
    "duplicate_codes": _("Two grades have the same code."),
    "duplicate_orders": _("Two grades have the same order."),
    "thresholds_not_descending": _(
        "A grade listed first must need more points than every grade after it."
    ),
    "duplicate_bands": _("Two revenue bands start at the same amount."),
    "band_points_decreasing": _(
        "A higher revenue band may not give fewer points than a lower one."
    ),
}


class RuleEditor:
    """The three parts of the rule page as one form: grades, revenue bands, points."""

    def __init__(self, data=None, *, definition: dict | None = None, version: int | None = None):
        initial = definition or {}
        self.grades = GradeFormSet(data, prefix="grades", initial=initial.get("grades"))
        self.bands = BandFormSet(
            data,
            prefix="bands",
            initial=[
                {"min": Decimal(b["min"]), "points": b["points"]}
                for b in initial.get("revenue_bands", [])
            ],
        )
        points = {}
        for group, _choices in POINT_GROUPS:
            for value, number in initial.get(group, {}).items():
                points[f"{group}_{value}"] = number
        self.rule = RuleForm(data, initial=points | {"version": version})
        self.problems: list[str] = []

    def loaded_version(self) -> int | None:
        return self.rule.cleaned_data.get("version")

    def carry_version(self, version: int) -> None:
        """After a refused stale save: the editor now stands on `version`."""
        data = self.rule.data.copy()
        data["version"] = str(version)
        self.rule.data = data

    def is_valid(self) -> bool:
        valid = all([self.grades.is_valid(), self.bands.is_valid(), self.rule.is_valid()])
        if valid:
            self.problems = [
                str(PROBLEMS[p]) for p in grading.definition_problems(self.definition())
            ]
        return valid and not self.problems

    def definition(self) -> dict:
        def kept(formset):
            return [
                f.cleaned_data
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE")
            ]

        data = self.rule.cleaned_data
        return {
            "grades": [{k: g[k] for k in GradeForm.base_fields} for g in kept(self.grades)],
            "revenue_bands": [
                {"min": str(b["min"]), "points": b["points"]} for b in kept(self.bands)
            ],
            **{
                group: {value: data[f"{group}_{value}"] for value, _l in choices.choices}
                for group, choices in POINT_GROUPS
            },
        }
