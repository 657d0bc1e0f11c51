"""The call list's forms: the list itself, its import, and giving entries to managers."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from console.models import Tenant
from lists.importing import read_upload
from lists.models import CallList
from lists.services import managers_of

MAX_ATTEMPTS = 20
MAX_RETRY_MINUTES = 60 * 24 * 30


class CallListForm(forms.ModelForm):
    # By username, not id: a posted id too large for the database is no server error.
    members = forms.ModelMultipleChoiceField(
        label=_("Pool: customer managers who work this list"),
        queryset=None,
        to_field_name="username",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They draw the entries given to no one in particular."),
    )

    class Meta:
        model = CallList
        fields = (
            "name",
            "description",
            "owner",
            "starts_on",
            "ends_on",
            "max_attempts",
            "retry_minutes",
        )
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth.models import User

        self.tenant = tenant
        self.fields["owner"].queryset = User.objects.filter(memberships__tenant=tenant).order_by(
            "username"
        )
        self.fields["owner"].to_field_name = "username"
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["members"].queryset = managers_of(tenant)
        self.fields["members"].label_from_instance = lambda u: u.get_full_name() or u.username
        if self.instance.pk and not self.is_bound:
            self.initial["members"] = list(self.instance.members.values_list("username", flat=True))
            self.initial["owner"] = self.instance.owner.username if self.instance.owner else None
        self.fields["retry_minutes"].help_text = _(
            "How long an entry waits before it is offered again after an attempt."
        )

    def clean_max_attempts(self):
        value = self.cleaned_data["max_attempts"]
        if not 1 <= value <= MAX_ATTEMPTS:
            raise ValidationError(
                _("Between 1 and %(n)d attempts."), params={"n": MAX_ATTEMPTS}, code="range"
            )
        return value

    def clean_retry_minutes(self):
        value = self.cleaned_data["retry_minutes"]
        if not 1 <= value <= MAX_RETRY_MINUTES:
            raise ValidationError(_("Between 1 minute and 30 days (43,200 minutes)."), code="range")
        return value

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The list ends before it starts."))
        return data


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or XLSX file"),
        required=False,
        help_text=_(
            "The first row names the columns: number (required), name, company, context, "
            "due start, due end, priority, manager (a username). Other columns are kept as "
            "context."
        ),
    )
    text = forms.CharField(
        label=_("…or paste the rows (CSV)"),
        required=False,
        widget=forms.Textarea(
            attrs={"rows": 6, "placeholder": "number,name,company,context\n13800001234,Li Lei,,"}
        ),
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        from console.csv_rows import csv_rows

        upload = data.get("file")
        if upload:
            data["rows"] = read_upload(upload)
        elif data.get("text", "").strip():
            data["rows"] = list(csv_rows(data["text"], max_cell=2000))
        else:
            raise ValidationError(_("Choose a file or paste some rows."))
        if len(data["rows"]) < 2:
            raise ValidationError(_("The file has no rows to import."))
        return data


class AssignForm(forms.Form):
    source = forms.ChoiceField(label=_("Entries now with"))
    to = forms.ChoiceField(label=_("Give them to"))
    count = forms.IntegerField(
        label=_("How many"),
        required=False,
        min_value=1,
        max_value=1_000_000,
        help_text=_("Empty: all of them. The first ones in the queue's order."),
    )

    def __init__(self, *args, tenant: Tenant, **kwargs):
        super().__init__(*args, **kwargs)
        self.managers = {str(u.pk): u for u in managers_of(tenant)}
        people = [(pk, u.get_full_name() or u.username) for pk, u in self.managers.items()]
        pool = ("pool", _("The pool (anyone in it)"))
        self.fields["source"].choices = [pool, *people]
        self.fields["to"].choices = [pool, *people]

    def clean(self):
        data = super().clean()
        if data.get("source") and data.get("source") == data.get("to"):
            raise ValidationError(_("Choose someone else to give them to."))
        for key in ("source", "to"):
            if key in data:
                data[key + "_user"] = None if data[key] == "pool" else self.managers[data[key]]
        return data


class NextForm(forms.Form):
    """Take the next entry (of one list, or of all the manager's lists)."""

    list = forms.UUIDField(required=False)
