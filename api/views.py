"""The tenant's API tokens page (`t/<tenant>/api-tokens/`): admins issue tokens for anyone of
the tenant and revoke any; when the tenant allows it, everyone else issues and revokes their
own. A new token is shown once, on the page that answers the form, and never again."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api import tokens
from api.models import ApiToken
from api.problems import ProblemError, problem_response
from console.access import tenant_view
from console.models import who

NOT_ALLOWED = gettext_lazy(
    "Only the tenant's admins issue API tokens here. An admin can allow everyone to issue their "
    "own in Settings."
)


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What it is for, e.g. “CRM”."),
    )
    person = forms.TypedChoiceField(label=gettext_lazy("For"), coerce=int)
    expires_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"),
        required=False,
        min_value=1,
        max_value=tokens.MAX_EXPIRY_DAYS,
        help_text=gettext_lazy("Empty: it does not expire (revoke it when it is no longer used)."),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        if membership.is_admin:
            members = membership.tenant.memberships.select_related("user").order_by(
                "user__username"
            )
        else:
            members = [membership]
        self.members = {m.pk: m for m in members}
        self.fields["person"].choices = [
            (m.pk, f"{who(m.user)} · {m.get_role_display()}") for m in self.members.values()
        ]
        self.fields["person"].initial = membership.pk


def _allowed(membership) -> bool:
    return membership.is_admin or membership.tenant.api_self_service


@tenant_view()
def api_tokens(request):
    membership = request.membership
    if not _allowed(membership):
        raise PermissionDenied(NOT_ALLOWED)
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    issued = None
    form = TokenForm(request.POST or None, membership=membership)
    if request.method == "POST" and form.is_valid():
        target = form.members[form.cleaned_data["person"]]
        if not tokens.may_issue(membership, target):  # the choices allow only these anyway
            raise PermissionDenied(NOT_ALLOWED)
        issued = tokens.issue(
            membership=target,
            name=form.cleaned_data["name"],
            expires_days=form.cleaned_data["expires_days"],
            actor=request.user,
        )
        form = TokenForm(membership=membership)
    listed = tokens.tokens_of(request.tenant, None if membership.is_admin else membership)
    return render(
        request,
        "api/tokens.html",
        {"form": form, "issued": issued, "api_tokens": listed},
    )


@tenant_view()
def api_token_revoke(request, token_code):
    membership = request.membership
    if not _allowed(membership):
        raise PermissionDenied(NOT_ALLOWED)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    token = (
        ApiToken.objects.filter(tenant=request.tenant, code=token_code)
        .select_related("membership__user", "tenant")
        .first()
    )
    if token is None or not tokens.may_revoke(membership, token):
        raise Http404
    if tokens.revoke(token=token, actor=request.user):
        messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("api-tokens", tenant_code=request.tenant.code)


def api_not_found(request):
    """Any other path under /api/v1/: a problem, not the HTML 404 page."""
    return problem_response(ProblemError(404, _("There is no such thing here.")))
