"""The history's filter form, shared by the list, its CSV export and the dashboard's period, so
"export what I see" is true by construction.

The reason select is grouped by meaning (calls.aicc.reasons.Group: the customer did not answer,
your phone not reached, a number invalid, settings to fix, ...): each group is an <optgroup>
whose first option selects all its codes (`group:no_answer`), followed by its codes, failures'
reasons and placed calls' outcomes alike (`createCall:5`, `outcome:5`), in the reader's words
(the customer manager reads "your phone", others "the customer manager's phone"). "Who can fix
it" (`fixer:admin`) stays below the groups.

Its widgets are rendered in Python: Django renders each widget, and each <option>, through the
template engine, and for this form (a reason select of ~80 options) that was a third of the
history page's time. They write the same HTML as Django's templates
(django/forms/widgets/input.html, select.html, select_option.html, attrs.html), escaping like
Django's `escape` (html.escape).

The manager select can hold a whole floor (a thousand managers and more): its options are written
once per language and set of managers (ManagerOptions, cached under the managers' rows
themselves, so a manager added, renamed or removed shows at once), the chosen one marked per
request, and a value is checked by a dict lookup instead of the field's walk over its choices
(docs/performance.md, "Issue 20 §4: the manager filter").
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import format_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from calls.aicc.reasons import Fixer, Reader
from calls.markup import escape
from calls.models import Call
from calls.numbers import normalise
from calls.selectors import FILTER_GROUPS, filter_reasons
from console.models import Tenant
from console.selectors import manager_name, manager_rows

# The dates a filter may name: calls exist only in between (and a day at the ends of Python's
# calendar cannot be turned into a time in every time zone).
EARLIEST, LATEST = date(2000, 1, 1), date(2099, 12, 31)

FIXERS = (Fixer.CALLER, Fixer.ADMIN, Fixer.PROVIDER)
_FIXER_FILTER_LABELS = {
    Fixer.CALLER: _("Fixable by the customer manager"),
    Fixer.ADMIN: _("Fixable by the console admin"),
    Fixer.PROVIDER: _("Fixable by the AICC provider"),
}
# Where a code comes from, after its title: "Invalid phone number (AICC answer 5)".
_SOURCE_LABELS = {
    "createCall": _("AICC answer"),
    "http": _("HTTP status"),
    "transport": _("Connection"),
    "console": _("Refused by the console"),
    "token": _("Sign-in to AICC"),
    "outcome": _("Call end"),
    "outcome_ita": _("ITA call end"),
}


def _offered(source: str, ita: bool) -> bool:
    """Is a code of `source` offered on its own to a tenant placing AICC (or ITA) two-way calls?
    The list leaves out the other call type's outcomes (46 Q.850 causes for AICC tenants); a
    group still selects every code, and every failure's code stays (the dashboard links to them)."""
    if source == "outcome":
        return not ita
    if source == "outcome_ita":
        return ita
    return True


def reason_choices(reader: Reader | str = Reader.OTHERS, *, ita: bool = False) -> list:
    """The reason select's choices in `reader`'s words: a group per meaning, then who can fix it."""
    groups: list = [("", _("Any reason"))]
    for group in FILTER_GROUPS:
        label = group.label(reader)
        options = [(f"group:{group.value}", format_lazy(_("{group}: all"), group=label))]
        options += [
            (f"{r.source}:{r.code}", f"{r.title} ({_SOURCE_LABELS[r.source]} {r.code})")
            for r in (reason.for_reader(reader) for reason in filter_reasons(group))
            if _offered(r.source, ita)
        ]
        groups.append((label, options))
    groups.append(
        (_("Who can fix it"), [(f"fixer:{f.value}", _FIXER_FILTER_LABELS[f]) for f in FIXERS])
    )
    return groups


_REASON_CHOICES: dict[tuple, list] = {}


def reason_choices_cached(reader: Reader | str = Reader.OTHERS, *, ita: bool = False) -> list:
    """reason_choices() with every label already translated, built once per process, language,
    reader and call type (~80 options: translating them on every request was a visible part of
    the page's cost)."""
    key = (get_language(), str(reader), ita)
    if key not in _REASON_CHOICES:
        _REASON_CHOICES[key] = [
            (str(group), [(v, str(label)) for v, label in options])
            if isinstance(options, list)
            else (group, str(options))
            for group, options in reason_choices(reader, ita=ita)
        ]
    return _REASON_CHOICES[key]


def _attrs_html(attrs: dict) -> str:
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class _DirectInput:
    def render(self, name, value, attrs=None, renderer=None):
        w = forms.Widget.get_context(self, name, value, attrs)["widget"]
        value_html = "" if w["value"] is None else f' value="{escape(w["value"])}"'
        html = f'<input type="{self.input_type}" name="{escape(name)}"{value_html}'
        return mark_safe(html + _attrs_html(w["attrs"]) + ">")  # noqa: S308 - all escaped


class TextInput(_DirectInput, forms.TextInput):
    pass


class DateInput(_DirectInput, forms.DateInput):
    pass


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        w = forms.Widget.get_context(self, name, value, attrs)["widget"]
        chosen = set(w["value"])
        selected = False
        out = [f'<select name="{escape(name)}"{_attrs_html(w["attrs"])}>']

        def option(v, label):
            nonlocal selected
            v = "" if v is None else str(v)
            mark = ""
            if not selected and v in chosen:
                mark, selected = " selected", True
            return f'\n  <option value="{escape(v)}"{mark}>{escape(label)}</option>'

        for v, label in self.choices:
            if isinstance(label, (list, tuple)):
                out.append(f'\n  <optgroup label="{escape(v)}">')
                out.extend(option(sv, sl) for sv, sl in label)
                out.append("\n  </optgroup>")
            else:
                out.append(option(v, label))
        out.append("\n</select>")
        return mark_safe("".join(out))  # noqa: S308 - every label and value is escaped


def _offer(field: forms.ChoiceField, choices: list | tuple) -> None:
    """Set a field's choices already in Django's normal form (a list of (value, label) pairs and
    (group, pairs)): the `choices` setters normalise them again, field and widget each, a walk
    over every option on every request."""
    field._choices = field.widget._choices = choices


class ManagerOptions:
    """The manager select's options: "Everyone", then each manager, written once as HTML (as
    Select.render writes them), with the ids a value may name."""

    def __init__(self, managers) -> None:  # (id, name) pairs
        # A tuple: shared by every request's field, nothing may change it.
        self.choices = (("", str(_("Everyone"))), *((pk, name) for pk, name in managers))
        self.ids = {str(pk): pk for pk, _name in self.choices[1:]}
        self.html = "".join(
            f'\n  <option value="{escape(v)}">{escape(label)}</option>' for v, label in self.choices
        )

    def marked(self, chosen) -> str:
        """The options with the first one whose value is in `chosen` selected (the select holds
        one value: values are unique, and labels escaped cannot hold an option's tag)."""
        for value in chosen:
            tag = f'<option value="{escape(value)}">'
            if tag in self.html:
                return self.html.replace(tag, f'<option value="{escape(value)}" selected>', 1)
        return self.html


# Per process, the most recently used 32 (about 0.5 MB each for a floor of 1,000 managers: their
# rows, the HTML and the ids; an entry left behind by a change ages out).
@lru_cache(maxsize=32)
def _written_options(language: str, rows: tuple) -> ManagerOptions:
    return ManagerOptions((pk, manager_name(*names)) for pk, *names in rows)


def manager_options(tenant: Tenant) -> ManagerOptions:
    """The tenant's manager options, written once per language and set of managers: the key is
    the managers' rows as read now (ids and names), so any change to them is a new entry."""
    return _written_options(get_language(), manager_rows(tenant))


class ManagerSelect(forms.Select):
    options: ManagerOptions

    def render(self, name, value, attrs=None, renderer=None):
        w = forms.Widget.get_context(self, name, value, attrs)["widget"]
        options = self.options.marked(w["value"])
        html = f'<select name="{escape(name)}"{_attrs_html(w["attrs"])}>{options}\n</select>'
        return mark_safe(html)  # noqa: S308 - the options and attributes are escaped


class ManagerField(forms.TypedChoiceField):
    """The manager filter: a user id among the tenant's managers, checked in a dict (the same
    errors as TypedChoiceField's walk over its choices)."""

    widget = ManagerSelect

    def offer(self, options: ManagerOptions) -> None:
        self.options = self.widget.options = options
        _offer(self, options.choices)

    def valid_value(self, value) -> bool:
        return str(value) in self.options.ids


class HistoryFilter(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=DateInput(attrs={"type": "date"})
    )
    manager = ManagerField(
        label=_("Customer manager"), required=False, coerce=int, empty_value=None
    )
    status = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("Any result")), *Call.Status.choices],
        widget=Select,
    )
    reason = forms.ChoiceField(label=_("Reason"), required=False, widget=Select)
    number = forms.CharField(
        label=_("Called number"),
        required=False,
        max_length=40,
        widget=TextInput(attrs={"type": "search", "inputmode": "tel"}),
    )
    match = forms.ChoiceField(
        label=_("Number match"),
        required=False,
        choices=[("prefix", _("starts with")), ("contains", _("contains"))],
        widget=Select,
    )
    serial = forms.CharField(
        label=_("Serial number"),
        required=False,
        max_length=50,
        widget=TextInput(attrs={"type": "search", "inputmode": "numeric"}),
    )
    # The wrap-up (calls.services.wrapup): its disposition, and whether it has a note.
    disposition = forms.ChoiceField(label=_("Disposition"), required=False, widget=Select)
    has_note = forms.ChoiceField(
        label=_("Note"),
        required=False,
        choices=[
            ("", _("With or without a note")),
            ("yes", _("With a note")),
            ("no", _("Without a note")),
        ],
        widget=Select,
    )

    def __init__(
        self,
        data=None,
        *,
        # manager_options(tenant), or (id, name) pairs (console.selectors.manager_choices)
        managers: ManagerOptions | list[tuple[int, str]] | None = None,
        reader: Reader | str = Reader.OTHERS,
        ita: bool = False,
        dispositions: list | None = None,
    ):
        # Only the filter's own keys: "after"/"before" (the cursors) and "size" are not filters.
        if data is not None:
            data = {k: data.get(k) for k in self.base_fields if data.get(k) not in (None, "")}
        super().__init__(data)
        if managers is None:
            del self.fields["manager"]
        else:
            if not isinstance(managers, ManagerOptions):
                managers = ManagerOptions(managers)
            self.fields["manager"].offer(managers)
        _offer(self.fields["reason"], reason_choices_cached(reader, ita=ita))
        if dispositions is None:
            del self.fields["disposition"]
        else:
            # By key in the URL (readable, and no number to confuse with other ids); the filter
            # itself uses the id (calls_for).
            archived = str(_("archived"))
            self._disposition_ids = {d.key: d.pk for d in dispositions}
            _offer(
                self.fields["disposition"],
                [("", _("Any disposition"))]
                + [
                    (d.key, f"{d.label} ({archived})" if d.archived else d.label)
                    for d in dispositions
                ],
            )
        for name, field in self.fields.items():
            if self.is_bound and name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"

    def clean_disposition(self) -> int | None:
        key = self.cleaned_data.get("disposition")
        return self._disposition_ids.get(key) if key else None

    def clean_number(self) -> str:
        return normalise(self.cleaned_data["number"])

    def clean_serial(self) -> str:
        return self.cleaned_data["serial"].strip()

    def _clean_date(self, name: str):
        day = self.cleaned_data.get(name)
        if day is not None and not (EARLIEST <= day <= LATEST):
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                params={"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
            )
        return day

    def clean_date_from(self):
        return self._clean_date("date_from")

    def clean_date_to(self):
        return self._clean_date("date_to")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
            data.pop("date_to", None)
        return data

    @property
    def filters(self) -> dict:
        """The valid filters (an invalid field is shown with its error and ignored)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "")}

    def querystring(self) -> str:
        """The filters as a query string (for the export link and page links)."""
        from django.http import QueryDict

        q = QueryDict(mutable=True)
        if self.is_bound:
            for name in self.fields:
                value = self.data.get(name)
                if value not in (None, ""):
                    q[name] = value
        return q.urlencode()

    def fields_html(self) -> SafeString:
        """Each field's label, widget and errors, as the history page shows them (written here
        like the widgets: docs/performance.md, "Rows written in Python")."""
        out = []
        for bf in self:
            errors = "".join(f"<li>{escape(e)}</li>" for e in bf.errors)
            if errors:
                errors = f'\n      <div role="alert"><ul class="errorlist">{errors}</ul></div>'
            out.append(
                f'    <div class="field">\n      <label for="{escape(bf.id_for_label)}">'
                f"{escape(bf.label)}</label>\n      {bf}{errors}\n    </div>"
            )
        return mark_safe("\n".join(out))  # noqa: S308 - labels, errors and widgets escaped
