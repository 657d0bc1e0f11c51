from django import forms
from django.utils.translation import gettext_lazy as _

from calls.services import outbound
from hooks.events import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Your receiver's address. It must be https and reachable from the internet."),
    )
    description = forms.CharField(label=_("Description"), max_length=100, required=False)
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=list(EVENT_TYPES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            outbound.check(url, resolve=True)
        except outbound.Blocked:
            raise forms.ValidationError(
                _(
                    "The console does not send to this address: use https and a public address "
                    "(not a private, loopback or link-local one)."
                )
            ) from None
        return url
