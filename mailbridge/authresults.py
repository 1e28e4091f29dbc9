"""Authentication-Results (RFC 8601): did SPF, DKIM and DMARC pass for this mail?

``From:`` alone is easy to forge and an exchange is a phishing target, so a mail that
looks like staff but failed authentication at *our* receiving server is treated as a
stranger's (issue 4). Only headers our own servers added count: anyone can put an
``Authentication-Results: ...; dmarc=pass`` line into the mail they send. With
``mailbox.authserv_ids`` set, headers from those servers are read; otherwise only the
topmost one (added by the last hop, which is ours).

>>> verdicts(["mx.exchange.example; spf=pass smtp.mailfrom=a.example; dkim=fail (bad sig) header.d=x; dmarc=fail"])
{'spf': 'pass', 'dkim': 'fail', 'dmarc': 'fail'}
>>> failure({'spf': 'pass', 'dkim': 'fail', 'dmarc': 'fail'})
'dmarc=fail'
"""

from __future__ import annotations

import re

_COMMENT = re.compile(r"\([^()]*\)")
_RESULT = re.compile(r"(?:^|[;\s])(spf|dkim|dmarc)\s*=\s*([A-Za-z]+)", re.IGNORECASE)
_BAD = {"fail", "softfail", "permerror"}


def authserv_id(header: str) -> str:
    """The server that wrote this header: its first word (a version number may follow)."""
    head = _COMMENT.sub(" ", header).split(";", 1)[0].split()
    return head[0].lower() if head else ""


def trusted(headers: list[str], authserv_ids: list[str]) -> list[str]:
    """The Authentication-Results headers to believe (see the module docstring)."""
    if not authserv_ids:
        return headers[:1]
    wanted = {a.lower() for a in authserv_ids}
    return [h for h in headers if authserv_id(h) in wanted]


def verdicts(headers: list[str]) -> dict[str, str]:
    """method -> result; for several results of one method (two DKIM signatures) a pass wins."""
    out: dict[str, str] = {}
    for header in headers:
        body = _COMMENT.sub(" ", header).split(";", 1)
        for method, result in _RESULT.findall(body[1] if len(body) > 1 else ""):
            method, result = method.lower(), result.lower()
            if out.get(method) != "pass":
                out[method] = result
    return out


def failure(found: dict[str, str]) -> str:
    """Why this mail failed authentication, or '' (passed, or nothing was checked).

    DMARC fail is decisive. Without a DMARC verdict: an SPF fail or a DKIM fail counts
    unless the other mechanism passed (a forwarded mail breaks SPF but keeps DKIM).
    """
    dmarc, spf, dkim = found.get("dmarc", ""), found.get("spf", ""), found.get("dkim", "")
    if dmarc in _BAD:
        return f"dmarc={dmarc}"
    if dmarc == "pass":
        return ""
    if spf in _BAD and dkim != "pass":
        return f"spf={spf}" + (f" dkim={dkim}" if dkim else "")
    if dkim in _BAD and spf != "pass":
        return f"dkim={dkim}" + (f" spf={spf}" if spf else "")
    return ""


def check(headers: list[str], authserv_ids: list[str]) -> str:
    """Failure reason for a mail's Authentication-Results headers, or ''."""
    return failure(verdicts(trusted(headers, authserv_ids)))
