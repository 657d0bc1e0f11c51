"""The wrap-up form (a disposition and a note), the supervisors' comment form, and the admin's
forms for dispositions and the tenant's wrap-up settings.

The wrap-up form is one <form> (templates/calls/_wrapup.html): further parts (scheduling a
follow-up, say) are further fields of a subclass or of a second form posted with it, each in its
own <fieldset> where the template marks the place, and further steps of the service
(calls.services.wrapup.wrapup_save(also=...))."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from calls.aicc.reasons import Group
from calls.models import Disposition, WrapUp
from calls.services.wrapup import COMMENT_MAX, NOTE_MAX
from console.models import Tenant

NOTE_TOO_LONG = _("The note is too long: write at most 2,000 characters (it has %(n)s).")


class WrapUpForm(forms.Form):
    disposition = forms.TypedChoiceField(
        label=_("Disposition"),
        coerce=int,
        error_messages={"required": _("Choose a disposition: what came of the call.")},
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": NOTE_MAX}),
        help_text=_("What was said, what happens next (at most 2,000 characters)."),
    )
    note_private = forms.BooleanField(
        label=_("Only me and supervisors can read this note"),
        required=False,
        help_text=_(
            "Colleagues who see this customer's calls then see the disposition, not the note."
        ),
    )
    # Guardrails: the call's number goes on the tenant's do-not-call list with the wrap-up.
    do_not_call = forms.BooleanField(
        label=_("Customer asked not to be called"),
        required=False,
        help_text=_("Adds the number to the do-not-call list: calls to it are refused from now."),
    )

    def __init__(
        self,
        data=None,
        *,
        dispositions: list[Disposition],
        wrap: WrapUp | None = None,
    ):
        initial = {}
        if wrap is not None:
            initial = {
                "disposition": wrap.disposition_id,
                "note": wrap.note,
                "note_private": wrap.note_private,
            }
        super().__init__(data, initial=initial)
        # Offered: the active ones, and the one the wrap-up has even if archived since.
        self.offered = {
            d.pk: d
            for d in dispositions
            if not d.archived or (wrap is not None and wrap.disposition_id == d.pk)
        }
        groups = {}
        for d in self.offered.values():
            groups.setdefault(d.group, []).append((d.pk, d.label))
        self.fields["disposition"].choices = [("", _("Choose…"))] + [
            (Disposition.Kind(kind).label, options) for kind, options in groups.items()
        ]

    def clean_disposition(self) -> Disposition:
        return self.offered[self.cleaned_data["disposition"]]  # a choice: offered

    def clean_note(self) -> str:
        note = self.cleaned_data["note"]
        if len(note) > NOTE_MAX:
            raise ValidationError(NOTE_TOO_LONG, params={"n": f"{len(note):,}"})
        return note


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Comment"),
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": COMMENT_MAX}),
        error_messages={
            "required": _("Write a comment first."),
            "max_length": _("The comment is too long: write at most 2,000 characters."),
        },
    )


# --- the admin's Wrap-up page -----------------------------------------------------------------

# The outcomes a disposition may wrap up by itself: the meaning groups of calls never connected.
AUTO_GROUPS = (Group.NO_ANSWER, Group.NUMBER, Group.PROVIDER, Group.NETWORK)


class DispositionForm(forms.ModelForm):
    auto_groups = forms.MultipleChoiceField(
        label=_("Wraps up by itself the calls that ended so"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Calls never connected with such an outcome get this disposition by themselves."
        ),
    )
    auto_codes = forms.CharField(
        label=_("… and these outcome codes"),
        required=False,
        max_length=200,
        help_text=_("Optional: source:code pairs, separated by spaces, e.g. outcome_ita:17."),
    )

    class Meta:
        model = Disposition
        fields = ("label_en", "label_zh", "group")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["auto_groups"].choices = [(f"group:{g.value}", g.label()) for g in AUTO_GROUPS]
        if self.instance.pk:
            outcomes = self.instance.outcome_list
            self.initial["auto_groups"] = [o for o in outcomes if o.startswith("group:")]
            self.initial["auto_codes"] = " ".join(o for o in outcomes if not o.startswith("group:"))

    def clean_auto_codes(self) -> str:
        out = []
        for item in self.cleaned_data["auto_codes"].split():
            source, sep, code = item.partition(":")
            if not sep or source not in ("outcome", "outcome_ita") or not code.isdigit():
                raise ValidationError(
                    _("“%(item)s” is not an outcome code: write outcome:5 or outcome_ita:17."),
                    params={"item": item},
                )
            out.append(f"{source}:{code}")
        return " ".join(out)

    def clean(self):
        data = super().clean()
        if not (data.get("label_en") or "").strip() and not (data.get("label_zh") or "").strip():
            raise ValidationError(_("Type the label in English, in Chinese, or both."))
        return data

    @property
    def values(self) -> dict:
        data = self.cleaned_data
        auto = " ".join([*data.get("auto_groups", []), *data.get("auto_codes", "").split()])
        return {
            "label_en": data["label_en"].strip(),
            "label_zh": data["label_zh"].strip(),
            "group": data["group"],
            "auto_outcomes": auto[:255],
        }


class WrapUpSettingsForm(forms.ModelForm):
    class Meta:
        model = Tenant
        fields = ("wrapup_required", "wrapup_call_while_pending", "wrapup_edit_minutes")
