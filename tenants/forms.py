from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.models import LeaseContract, Membership, Organization, RenewalRequest


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
