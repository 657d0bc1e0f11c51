import re
from uuid import uuid4

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls import call_input
from calls.call_input import CALL_DATA_MAX
from calls.numbers import from_tel_uri
from console.models import Tenant

KEY_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


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
    # The follow-up the call is placed from (its code; calls/followup_views.py): checked by the
    # call page against the manager's own open follow-ups, and linked to the call placed.
    follow_up = forms.UUIDField(widget=forms.HiddenInput, required=False)

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

    # The rules are calls/call_input.py: the same for the command line and call_place.
    def clean_called(self):
        return call_input.clean_called(self.tenant, self.cleaned_data["called"])

    def clean_call_data(self):
        return call_input.clean_call_data(self.tenant, self.cleaned_data.get("call_data", ""))

    def clean_caller_present(self):
        return call_input.clean_caller_present(
            self.tenant, self.cleaned_data.get("caller_present", "")
        )

    def clean_idempotency_key(self):
        key = self.cleaned_data.get("idempotency_key") or ""
        if not key:
            return new_key()  # a plain POST without a key still works; it just isn't de-duplicated
        if not KEY_RE.match(key):
            raise ValidationError(_("This form is out of date. Reload the page and try again."))
        return key

    # A deep link's (or "Call again"'s) query parameter for each field.
    LINK_PARAMS = {"called": "called", "call_data": "data", "caller_present": "present"}

    @classmethod
    def prefilled(cls, params, *, tenant: Tenant) -> "CallForm":
        """The form the call page opens with `params` (a deep link's query): prefilled when the
        values given pass every rule, else bound to them so that the page shows what is wrong
        (a value the tenant's calls cannot carry is said, not dropped). Never places a call."""
        given = {f: params.get(p, "") for f, p in cls.LINK_PARAMS.items() if params.get(p, "")}
        for name in ("called", "caller_present"):  # a browser's tel: link: the number in it
            if name in given:
                given[name] = from_tel_uri(given[name])
        initial = {**given, "idempotency_key": new_key()}
        if not given:
            return cls(initial=initial, tenant=tenant)
        form = cls(data=initial, tenant=tenant)
        form.is_valid()
        for name in list(form.errors):
            if name not in given:  # e.g. a link with call data and no number yet
                del form.errors[name]
        for name in ("call_data", "caller_present"):
            if name in given and name not in form.fields:  # ITA: the form has no such field
                try:
                    getattr(call_input, f"clean_{name}")(tenant, given[name])
                except ValidationError as e:
                    form.add_error(None, e)
        if not form.errors:
            return cls(initial=initial, tenant=tenant)
        return form
