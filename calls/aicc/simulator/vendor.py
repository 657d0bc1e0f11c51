"""The vendor's contract as the simulator serves it: paths, interface names, limits, retMsg texts."""

from __future__ import annotations

import re

TOKEN_PATH = "/apigovernance/api/oauth/tokenByAkSk"
API_PATHS = {
    "/apiaccess/CC-Management/v3/mobileAgent/createCall": "createCall",
    "/apiaccess/CC-Management/v1/mobileAgent/queryCallState": "queryCallState",
    "/apiaccess/CC-Management/v1/mobileAgent/queryCallDetailRecord": "queryCallDetailRecord",
    "/apiaccess/CC-Management/v1/mobileAgent/queryPhone": "queryPhone",
    "/apiaccess/CC-Management/v1/mobileAgent/getRecordingAddress": "getRecordingAddress",
}
INTERFACES = {"tokenByAkSk", *API_PATHS.values()}

# createCall V3 body, Table 2 of createCall-v3.txt.
CREATE_CALL_REQUIRED = ("softPhone", "called")
CREATE_CALL_OPTIONAL = ("caller", "callData", "callerPresent")
CREATE_CALL_FIELDS = CREATE_CALL_REQUIRED + CREATE_CALL_OPTIONAL

DEFAULT_TOKEN_LIFETIME = 600
MAX_TOKEN_LIFETIME = 3600
SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000

DIGITS = re.compile(r"[0-9]+")
BEARER = re.compile(r"Bearer ([^\s]+)")

CREATE_CALL_MSGS = {
    "0": "success",
    "1": "Failed to add the outbound call task. The same outbound call task may exist in the "
    "outbound call database.",
    "2": "Call data information is invalid. The callData exceeds 1024 characters.",
    "3": "The call SN field is not queried.",
    "5": "The format of the calling number, called number, or CLIP number is incorrect.",
    "6": "The VDN is unavailable.",
    "8": "The calling number is not in the softphone number range used by the mobile agent "
    "assigned by the tenant.",
    "16": "The agent-side number of the trial tenant is not in the trustlist.",
    "21": "The number of one-click bidirectional calls of the trial tenant exceeds the upper "
    "limit {limit} per day.",
    "90100100": "Invalid Input Parameter",
}
GENERIC_MSGS = {
    "queryCallState": {
        "0": "success",
        "1": "Failed to query the call status.",
        "3": "The callSerialNo format is incorrect.",
    },
    "queryCallDetailRecord": {
        "0": "Query call detail record successfully",
        "1": "no data",
        "2": "The format of the start time or end time is incorrect.",
        "4": "The format of limit or offset is incorrect.",
        "12": "The calling number is unavailable.",
    },
    "queryPhone": {
        "0": "success",
        "1": "Query failed.",
        "2": "The mobile agent information is empty.",
        "3": "The registration server address or port is empty.",
        "4": "The limit or offset is empty.",
        "5": "The VDN information is empty.",
    },
    "getRecordingAddress": {
        "0": "success",
        "5": "No matching history record is found.",
        "12": "The length of callSerialNo exceeds 50 characters.",
    },
}
