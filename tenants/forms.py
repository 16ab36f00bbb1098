from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from tenants.models import OUTCOME_FIRST_YEAR, LeaseContract, Membership, Organization, RenewalRequest
from tenants.outcomes import MAX_AMOUNT, MAX_COUNT


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class RenewalForm(forms.Form):
    term_months = forms.TypedChoiceField(label=_("Renew for"), coerce=int, choices=())
    note = forms.CharField(label=_("Note to the manager"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    documents = MultipleFileField(
        label=_("Documents (PDF, JPEG or PNG)"), required=False, help_text=_("For example the latest business report.")
    )

    def __init__(self, *args, terms: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_months"].choices = [
            (term, _("%(months)d months") % {"months": term}) for term in RenewalRequest.TERM_CHOICES if term in terms
        ] or [("", _("No term fits within the tenancy limit"))]


class ApproveRenewalForm(forms.Form):
    monthly_rent = forms.IntegerField(label=_("Monthly rent from the renewal (KRW)"), min_value=0)
    note = forms.CharField(label=_("Note to the tenant"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, ceiling: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["monthly_rent"].max_value = ceiling
        self.fields["monthly_rent"].widget.attrs["max"] = ceiling
        self.fields["monthly_rent"].help_text = _("At most %(ceiling)s won (the facility's cap).") % {
            "ceiling": f"{ceiling:,}"
        }


class ManagerNoteForm(forms.Form):
    reason = forms.CharField(label=_("Message to the tenant"), widget=forms.Textarea(attrs={"rows": 2}))


class NoticeForm(forms.Form):
    note = forms.CharField(
        label=_("Note (e.g. moving-out date)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class OrganizationForm(forms.ModelForm):
    # People write the number with hyphens; the model keeps the 10 digits (Organization.clean_fields).
    business_number = forms.CharField(
        label=_("Business registration number"),
        required=False,
        # No number is NULL in the model (unique, and 10 digits when given), never "".
        empty_value=None,
        max_length=14,
        widget=forms.TextInput(attrs={"placeholder": "123-45-67890"}),
    )

    class Meta:
        model = Organization
        fields = ["name", "name_en", "business_number", "representative", "email", "phone", "address"]


class ContractFilterForm(forms.Form):
    facility = forms.SlugField(required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *LeaseContract.Status.choices]
    )
    expiring_within = forms.IntegerField(label=_("Ending within (days)"), required=False, min_value=0, max_value=3650)
    organization = forms.CharField(label=_("Organization"), required=False, max_length=100)


# --- Outcomes ---------------------------------------------------------------------------------------------

NOT_NEGATIVE = {"min_value": _("Enter 0 or more."), "max_value": _("The number is too large; check it.")}


class AmountField(forms.IntegerField):
    """A sum in won as people write it: "120,000,000", "120 000 000" or "120,000,000원" are 120000000."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=MAX_AMOUNT, error_messages=NOT_NEGATIVE, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})

    def prepare_value(self, value):
        # Shown with thousands separators, as the figure is read; to_python takes them off again.
        return f"{value:,}" if isinstance(value, int) else value

    def to_python(self, value):
        if isinstance(value, str):
            value = "".join(value.split()).replace(",", "").removesuffix("원")
        return super().to_python(value)


class CountField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(min_value=0, max_value=MAX_COUNT, error_messages=NOT_NEGATIVE, **kwargs)
        self.widget.attrs.update({"inputmode": "numeric"})


class OutcomeReportForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("Year"),
        coerce=int,
        choices=(),
        error_messages={"invalid_choice": _("Choose a year that has ended and in which you leased a unit.")},
    )
    sales = AmountField(
        label=_("Sales (KRW)"),
        help_text=_("The year's revenue in won, as in the financial statements. Commas are fine."),
    )
    employees = CountField(
        label=_("Employees at the end of the year"),
        help_text=_("Headcount on 31 December, the representative included."),
    )
    investment = AmountField(
        label=_("Investment attracted (KRW)"),
        initial=0,
        help_text=_("Investment received during the year (equity, convertible notes and the like); 0 if none."),
    )
    ip_count = CountField(
        label=_("Intellectual property (patents etc.)"),
        initial=0,
        help_text=_("Patents, utility models, designs and trademarks registered or applied for during the year."),
    )
    ip_note = forms.CharField(
        label=_("Intellectual property: details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional, e.g. application numbers."),
    )
    products_launched = CountField(
        label=_("Products launched"),
        initial=0,
        help_text=_("New products or services launched during the year."),
    )
    products_note = forms.CharField(
        label=_("Products: details"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Optional, e.g. product names."),
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]


class OutcomeFilterForm(forms.Form):
    """The manager's table: a facility (a slug; the view checks it is theirs) and an ended year."""

    facility = forms.SlugField(required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=OUTCOME_FIRST_YEAR)

    def __init__(self, *args, last_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].max_value = last_year
        self.fields["year"].validators.append(MaxValueValidator(last_year))


class AskAgainForm(forms.Form):
    year = forms.IntegerField(min_value=OUTCOME_FIRST_YEAR)
    facility = forms.SlugField(required=False)


class RegisterOrganizationForm(OrganizationForm):
    """A person registers their organization (they become its owner): its kind decides social-economy reductions."""

    class Meta(OrganizationForm.Meta):
        fields = ["name", "name_en", "kind", "business_number", "representative", "email", "phone", "address"]
