import re
from uuid import uuid4

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls.numbers import normalise, validate_number
from console.models import Tenant

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
CALL_DATA_MAX = 1024  # createCall callData: string(1024) [doc]


def new_key() -> str:
    return uuid4().hex


class CallForm(forms.Form):
    called = forms.CharField(
        label=_("Customer's number"),
        max_length=64,
        widget=forms.TextInput(
            attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel", "autofocus": True}
        ),
        help_text=_("Digits; spaces, dashes and a leading + are fine."),
    )
    call_data = forms.CharField(
        label=_("Call data"),
        required=False,
        max_length=CALL_DATA_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional note passed to AICC with the call (at most 1024 characters)."),
    )
    caller_present = forms.CharField(
        label=_("Number the customer sees"), required=False, max_length=32
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm = forms.BooleanField(widget=forms.HiddenInput, required=False)
    # "Stop following it and call anyway": the manager's live call is no longer followed.
    anyway = forms.BooleanField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.tenant = tenant
        if tenant.is_ita:
            # ITA two-way calls support neither callData nor callerPresent [doc]: not even shown.
            del self.fields["call_data"]
            del self.fields["caller_present"]
            return
        codes = tenant.access_code_list
        field = self.fields["caller_present"]
        if tenant.anonymization_enabled:
            field.help_text = _("Optional: an access code, or any number of 11 to 14 digits.")
            field.widget.attrs.update({"list": "access-codes", "inputmode": "tel"})
        else:
            self.fields["caller_present"] = forms.ChoiceField(
                label=field.label,
                required=False,
                choices=[("", _("Default access code"))] + [(c, c) for c in codes],
                help_text=_("Optional: one of your tenant's access codes."),
            )

    def clean_called(self):
        return validate_number(normalise(self.cleaned_data["called"]))

    def clean_call_data(self):
        data = self.cleaned_data.get("call_data", "")
        if len(data) > CALL_DATA_MAX:  # also enforced by max_length; kept for the explicit message
            raise ValidationError(_("Call data is limited to 1024 characters."))
        return data

    def clean_caller_present(self):
        value = normalise(self.cleaned_data.get("caller_present", ""))
        if not value:
            return ""
        codes = self.tenant.access_code_list
        if value in codes:
            return value
        if self.tenant.anonymization_enabled:
            if value.isdigit() and 11 <= len(value) <= 14:
                return value
            raise ValidationError(_("Use one of your access codes or a number of 11 to 14 digits."))
        raise ValidationError(_("Choose one of your tenant's access codes."))

    def clean_idempotency_key(self):
        key = self.cleaned_data.get("idempotency_key") or ""
        if not key:
            return new_key()  # a plain POST without a key still works; it just isn't de-duplicated
        if not KEY_RE.match(key):
            raise ValidationError(_("This form is out of date. Reload the page and try again."))
        return key
