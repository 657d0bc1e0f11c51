"""The REST API under /api/v1/ (django-ninja: the OpenAPI 3 schema comes from the code).

- `models.py`: `ApiToken`, a person's token for one tenant (only its SHA-256 is stored).
- `tokens.py`: issuing, revoking and listing tokens (audited), and authenticating a request
  (`Authorization: Bearer <token>`) with the per-token rate limit.
- `v1.py`: the API object: authentication, problem+json errors (RFC 9457), the schema and its
  page (`/api/v1/docs`, Swagger UI from django-ninja's own static files, CSP-safe).
- `endpoints/`: one module per resource (`calls.py`, `reasons.py`), each a ninja Router listed
  in `endpoints.ROUTERS`. A later resource (wrap-up, follow-ups, call lists, do-not-call) is one
  more module and one more line there.
- `views.py`: the tenant's API tokens page (`t/<tenant>/api-tokens/`).
"""
