"""GET /reasons: the catalogue of decoded reasons, in the token's person's words and the
request's language (Accept-Language)."""

from ninja import Router

from api.problems import ReasonOut, reason_out, responses
from calls.aicc.reasons import all_reasons
from calls.readers import reader_for

router = Router(tags=["reasons"])


@router.get("/reasons", response={200: list[ReasonOut], **responses(401, 429)})
def list_reasons(request):
    """Every reason the console can report for a call (a failure's reason or a placed call's
    outcome), with what it means, what to do and who can fix it. `source:code` is how calls name
    them (`reason`, `outcome`)."""
    reader = reader_for(request.auth)
    return [reason_out(r) for r in all_reasons(reader)]
