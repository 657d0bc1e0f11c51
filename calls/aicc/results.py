"""What the AICC client returns: its configuration, the Outcome of every vendor call and the
typed results inside it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TOKEN = "tokenByAkSk"
CREATE_CALL = "createCall"
QUERY_CALL_STATE = "queryCallState"
QUERY_CDR = "queryCallDetailRecord"
QUERY_PHONE = "queryPhone"
GET_RECORDING = "getRecordingAddress"

SUCCESS = "0"

KIND_OK = "ok"
KIND_BUSINESS = "business"
KIND_HTTP = "http"
KIND_TRANSPORT = "transport"

DETAIL_MAX = 200  # characters of Outcome.detail


@dataclass(frozen=True)
class AiccConfig:
    base_url: str  # API base; /apiaccess/... is appended
    token_url: str  # base for tokenByAkSk, may carry a port (e.g. https://host:28070)
    app_key: str
    app_secret: str = field(repr=False)
    token_lifetime: int = 600  # X-Token-Expire, clamped to 1..3600 (§1)
    call_type: str = "AICC"  # or "ITA": ITA never gets callData / callerPresent (§2)
    connect_timeout: float = 3.05
    read_timeout: float = 10.0
    verify_tls: bool = True

    def __post_init__(self) -> None:
        for name in ("base_url", "token_url"):
            url = str(getattr(self, name) or "").strip().rstrip("/")
            if not re.match(r"^https?://[^/\s]+", url, re.IGNORECASE):
                raise ValueError(f"AiccConfig.{name} must be an http(s) URL with a host")
            object.__setattr__(self, name, url)
        if not self.app_key:
            raise ValueError("AiccConfig.app_key is required")
        lifetime = min(max(int(self.token_lifetime), 1), 3600)
        object.__setattr__(self, "token_lifetime", lifetime)
        call_type = str(self.call_type or "AICC").strip().upper()
        if call_type not in ("AICC", "ITA"):
            raise ValueError("AiccConfig.call_type must be 'AICC' or 'ITA'")
        object.__setattr__(self, "call_type", call_type)
        if self.connect_timeout <= 0 or self.read_timeout <= 0:
            raise ValueError("AiccConfig timeouts must be positive")


@dataclass(frozen=True)
class Token:
    access_token: str = field(repr=False)
    expires_at: datetime  # aware, UTC
    lifetime: int  # seconds granted


@dataclass(frozen=True)
class CreateCallResult:
    serial: str


@dataclass(frozen=True)
class CallState:
    state: int | None  # 0 waiting, 1 calling, 2 talking, 3 ended (§4)
    reason_code: int | None  # §4.1 (AICC) / §4.2 (ITA, Q.850)
    caller: str
    called: str
    call_data: str = field(repr=False)
    caller_present: str
    agent_present: str
    start_time: datetime | None
    end_time: datetime | None


@dataclass(frozen=True)
class CallRecord:
    serial: str  # "" when the vendor sent no usable callSerialNo
    caller: str
    called: str
    state: int | None
    reason_code: int | None
    call_data: str = field(repr=False)
    caller_present: str
    agent_present: str
    start_time: datetime | None
    end_time: datetime | None
    alerting_time: datetime | None
    talking_time: datetime | None
    release_time: datetime | None
    talk_duration: int | None  # seconds
    agent_alerting_time: datetime | None
    agent_talking_time: datetime | None
    agent_release_time: datetime | None
    agent_talk_duration: int | None  # seconds


@dataclass(frozen=True)
class CdrPage:
    total: int
    records: list[CallRecord]


@dataclass(frozen=True)
class Phone:
    number: str
    status: int | None  # 0 registered, 1 paused (§7)
    remark: str
    id: str
    # The vendor's SIP ``password`` is deliberately never kept.


@dataclass(frozen=True)
class PhonePage:
    total: int
    phones: list[Phone]
    reg_ip: str
    reg_port: int | None


@dataclass(frozen=True)
class RecordingUrl:
    url: str = field(repr=False)  # pre-signed, valid 5 minutes (§6): keep out of logs


@dataclass
class Outcome:
    """The single result type of every vendor call."""

    interface: str
    kind: str  # "ok" | "business" | "http" | "transport"
    ret_code: str = ""
    ret_msg: str = ""
    http_status: int | None = None
    fault: str = ""  # transport only
    detail: str = ""
    elapsed_ms: float = 0.0
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.kind == KIND_OK

    def reason(self):
        """Decode into a ``calls.aicc.reasons.Reason`` (imported lazily)."""
        from calls.aicc.reasons import decode

        source = "token" if self.interface == TOKEN else self.interface
        if self.kind == KIND_OK:
            return decode(source, SUCCESS)
        if self.kind == KIND_BUSINESS:
            return decode(source, self.ret_code)
        if self.kind == KIND_HTTP:
            return decode("token" if self.interface == TOKEN else "http", self.http_status)
        return decode("transport", self.fault)
