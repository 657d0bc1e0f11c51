"""The follow-up forms: schedule, reschedule, cancel. The due date and time are typed in the
tenant's time zone (the console has no per-person one). The rules themselves are the services'
(calls/services/followups.py): what they refuse comes back onto the form's fields."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls import call_input
from calls.models import CANCEL_REASON_MAX, FOLLOW_UP_NOTE_MAX
from console.models import Membership, who
from console.selectors import managers_of


class ManagerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return who(obj)


class DueForm(forms.Form):
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_time = forms.TimeField(label=_("Due time"), widget=forms.TimeInput(attrs={"type": "time"}))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=FOLLOW_UP_NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the call is about (at most 2,000 characters)."),
    )

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.membership = membership
        self.tz = ZoneInfo(membership.tenant.time_zone)
        self.fields["due_time"].help_text = _("In the tenant's time zone, %(tz)s.") % {
            "tz": membership.tenant.time_zone
        }
        if membership.can_read_history:
            self.fields["assignee"] = ManagerChoice(
                label=_("Customer manager"),
                queryset=managers_of(membership.tenant),
                required=False,
                empty_label=_("Choose"),
                help_text=_("Who is to call."),
            )

    def due_at(self) -> datetime:
        data = self.cleaned_data
        return datetime.combine(data["due_date"], data["due_time"], tzinfo=self.tz)

    def clean(self):
        data = super().clean()
        if data.get("due_date") and data.get("due_time"):
            try:
                self.due_at().astimezone(ZoneInfo("UTC"))
            except OverflowError:
                self.add_error("due_date", _("Choose a time within the next two years."))
        return data

    def apply_errors(self, error: ValidationError) -> None:
        """The services' refusals onto the fields (a due time's onto the date)."""
        for name, errors in error.error_dict.items():
            target = "due_date" if name == "due_at" else name
            self.add_error(target if target in self.fields else None, errors)


class WrapUpFollowUpForm(DueForm):
    """The wrap-up's optional follow-up (posted with the wrap-up form, prefix "follow_up"): a
    date and time, both or neither, and a note. For the call's own manager (no assignee)."""

    prefix = "follow_up"

    def __init__(self, *args, membership: Membership, **kwargs):
        super().__init__(*args, membership=membership, **kwargs)
        self.fields.pop("assignee", None)
        self.fields["due_date"].required = self.fields["due_time"].required = False
        self.fields["due_date"].label = _("Follow-up date")
        self.fields["due_time"].label = _("Follow-up time")
        self.fields["note"].label = _("Follow-up note")

    def clean(self):
        data = super().clean()
        date, time = data.get("due_date"), data.get("due_time")
        if bool(date) != bool(time) and not self.errors:
            missing = "due_time" if date else "due_date"
            self.add_error(
                missing, _("Give both the date and the time of the follow-up, or neither.")
            )
        return data

    @property
    def wanted(self) -> bool:
        return bool(self.cleaned_data.get("due_date") and self.cleaned_data.get("due_time"))


class ScheduleForm(DueForm):
    called = forms.CharField(
        label=_("Customer's number"),
        max_length=64,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off", "inputmode": "tel"}),
    )
    source_call = forms.UUIDField(widget=forms.HiddenInput, required=False)

    field_order = ["called", "due_date", "due_time", "note", "assignee"]

    def clean_called(self):
        return call_input.clean_called(self.membership.tenant, self.cleaned_data["called"])


class RescheduleForm(DueForm):
    def __init__(self, *args, follow_up, **kwargs):
        tz = ZoneInfo(kwargs["membership"].tenant.time_zone)
        due = follow_up.due_at.astimezone(tz)
        kwargs.setdefault(
            "initial",
            {
                "due_date": due.date(),
                "due_time": due.time().replace(second=0, microsecond=0),
                "note": follow_up.note,
                "assignee": follow_up.assignee_id,
            },
        )
        super().__init__(*args, **kwargs)
        if "assignee" in self.fields:
            self.fields["assignee"].empty_label = None


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is it cancelled?"),
        max_length=CANCEL_REASON_MAX,
        help_text=_("Your colleagues see it with the follow-up."),
    )
