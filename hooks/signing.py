"""Standard Webhooks signatures (https://www.standardwebhooks.com/, "Signature scheme").

A secret is `whsec_` + base64 of 32 random bytes. Each request carries `webhook-id` (the event's
id), `webhook-timestamp` (Unix seconds) and `webhook-signature`: space-separated `v1,<base64 of
HMAC-SHA256(secret bytes, "<id>.<timestamp>.<body>")>`, one per valid secret (two during a
rotation's overlap). Receivers can check them with any Standard Webhooks library.
"""

import base64
import hashlib
import hmac
import secrets

PREFIX = "whsec_"


def new_secret() -> str:
    return PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(PREFIX))


def signature(secret: str, msg_id: str, timestamp: int, body: str) -> str:
    signed = f"{msg_id}.{timestamp}.{body}".encode()
    digest = hmac.new(_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def headers(secrets_: list[str], msg_id: str, timestamp: int, body: str) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(signature(s, msg_id, timestamp, body) for s in secrets_),
    }
