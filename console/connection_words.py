"""What "Test connection" tells the admin who pressed it: each failure in terms of the settings on
the page ("check the token URL"), not in the words a customer manager reads elsewhere for the same
code ("ask your console admin")."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from calls.aicc.reasons import Reason


@dataclass(frozen=True)
class AdminWords:
    title: str
    explanation: str
    next_step: str


CHECK_ADDRESS = _(
    "Check the AICC base URL and the token URL: they are the address of AICC only (for example "
    "https://service.besclouds.com), without a path such as /apiaccess/."
)
_WRONG_SERVER = AdminWords(
    _("Something answered, but not AICC"),
    _(
        "An answer came from the address, but not an AICC sign-in answer: the address probably "
        "points to another server or includes a path."
    ),
    CHECK_ADDRESS,
)
_NO_ANSWER = AdminWords(
    _("AICC did not answer in time"),
    _(
        "The console reached out, but no answer came. A firewall may be dropping the console "
        "server's connections, or AICC is slow right now."
    ),
    _(
        "Check the addresses, and that the console server may connect to AICC (firewalls, "
        "AICC's allowlist of client addresses). Then test again."
    ),
)
_PROVIDER_FAULT = AdminWords(
    _("AICC's sign-in service has a fault"),
    _("AICC answered with a server error. The values in the form are not the problem."),
    _("Test again in a few minutes. If it keeps failing, tell the AICC provider."),
)

WORDS = {
    ("transport", "config"): AdminWords(
        _("The form is missing credentials"),
        _("The AICC base URL, the app key and the app secret are all needed to sign in."),
        _("Fill them in (a saved secret is used when the secret field is left empty), then test."),
    ),
    ("transport", "blocked"): AdminWords(
        _("The console does not connect to this address"),
        _(
            "The base URL or the token URL is not https, or points inside a private network. The "
            "console connects only to public https addresses (OUTBOUND_ALLOW_PRIVATE)."
        ),
        _("Use AICC's public https address, as given by the AICC provider."),
    ),
    ("transport", "refused"): AdminWords(
        _("Nothing answers at this address"),
        _("The server at the base URL or token URL refused the connection."),
        _(
            "Check the host and the port: some AICC installations take tokens only on port 28070 "
            "(set it in the token URL, e.g. https://host:28070), others must not have it."
        ),
    ),
    ("transport", "dns"): AdminWords(
        _("The AICC host name is not known"),
        _("The console could not find the server named in the base URL or token URL."),
        _("Check the spelling of the host name. Then test again."),
    ),
    ("transport", "tls"): AdminWords(
        _("The secure connection failed"),
        _(
            "The server's certificate is invalid, expired, or issued for another name: the "
            "address may point to the wrong server."
        ),
        _("Check the host name. If it is right, ask the AICC provider about the certificate."),
    ),
    ("transport", "timeout"): _NO_ANSWER,
    ("transport", "reset"): _NO_ANSWER,
    ("transport", "bad_json"): _WRONG_SERVER,
    ("transport", "no_retcode"): _WRONG_SERVER,
    ("token", "400"): AdminWords(
        _("AICC rejected the sign-in request"),
        _("AICC found the request malformed: usually the app key, or the token URL is wrong."),
        _("Check the app key and the token URL."),
    ),
    ("token", "401"): AdminWords(
        _("AICC refused the app key and secret"),
        _(
            "The app key or the app secret is wrong, or the service is not purchased for this "
            "AICC account."
        ),
        _(
            "Copy the app key and secret again from AICC's API Fabric application. If they are "
            "right, ask the AICC provider to check the account."
        ),
    ),
    ("token", "403"): AdminWords(
        _("AICC refused the sign-in"),
        _(
            "Usually the app key or the app secret is wrong, or AICC does not accept requests "
            "from the console server's internet address."
        ),
        _(
            "Check the app key and secret. If they are right, ask the AICC provider to allowlist "
            "the console server's public address."
        ),
    ),
    ("token", "404"): AdminWords(
        _("No sign-in service at the token URL"),
        _("The address answered, but has no AICC sign-in service."),
        _(
            "Some AICC installations take tokens only on port 28070 (e.g. https://host:28070 as "
            "the token URL), others must not have it: add or remove the port."
        ),
    ),
    ("token", "500"): _PROVIDER_FAULT,
}
OTHERWISE = _(
    "Check the base URL, the token URL, the app key and the secret. If they are right, ask the "
    "AICC provider, quoting the code below."
)


def admin_words(reason: Reason) -> AdminWords:
    words = WORDS.get((reason.source, reason.code))
    if words is None and reason.source == "token" and reason.code[:1] == "5":
        words = _PROVIDER_FAULT
    return words or AdminWords(reason.title, reason.explanation, OTHERWISE)
