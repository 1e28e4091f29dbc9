"""Staff: replies and internal notes written from a normal mail client.

Staff answer the customer with the support address in Cc (or Bcc) and the case tag in the
subject; ``follow_up`` already put the mail on the case. Here it becomes either
- a **staff reply** (someone outside support and staff is a recipient): recorded with
  direction ``staff`` and the case moves to ``waiting`` (on the customer); or
- an **internal note** (only support and staff addresses): direction ``note``, and the
  ``#command`` lines at its top are applied to the case and recorded. Unknown commands or
  bad values go back to the sender by mail (``acknowledge`` queues the notice).

Bcc leaves no trace in To/Cc: a staff mail that reached the support mailbox with the
customer in To and the tag in the subject was Bcc'd, which Delivered-To/X-Original-To
usually confirm; it is a staff reply like any other.
"""

from __future__ import annotations

import re

from mailbridge.models import Case, utcnow
from mailbridge.settings import Settings
from mailbridge.work import InboundMail

STATUSES = {"open": "open", "waiting": "waiting", "pending": "waiting", "resolved": "resolved",
            "closed": "resolved", "solved": "resolved"}
PRIORITIES = ("low", "normal", "high", "urgent")
CATEGORIES = ("deposit", "withdrawal", "account", "kyc", "security", "api", "trading", "other")
_COMMAND = re.compile(r"^\s*#(\w[\w-]*)\s*(.*?)\s*$")


def commands_at_top(text: str) -> list[tuple[str, str]]:
    """``#name value`` lines at the top of a note, until the first other non-empty line.

    >>> commands_at_top("#status resolved\\n#assign Li Wei\\n\\nRefunded.\\n#not-a-command")
    [('status', 'resolved'), ('assign', 'Li Wei')]
    """
    found = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if not line.strip():
            continue
        m = _COMMAND.match(line)
        if m is None:
            break
        found.append((m.group(1).lower(), m.group(2)))
    return found


def apply(case: Case, name: str, value: str, settings: Settings) -> str:
    """Apply one command; returns '' when applied, else why not (reported to the sender)."""
    word = value.strip().lower()
    if name == "status":
        if word not in STATUSES:
            return f"unknown status {value!r} (use {', '.join(sorted(set(STATUSES.values())))})"
        case.status = STATUSES[word]
        case.resolved_at = utcnow() if case.status == "resolved" else None
    elif name == "priority":
        if word not in PRIORITIES:
            return f"unknown priority {value!r} (use {', '.join(PRIORITIES)})"
        case.priority, case.urgent = word, word == "urgent"
    elif name == "assign":
        if not value.strip():
            return "#assign needs a name"
        case.assignee = value.strip()[:200]
    elif name == "category":
        known = (*CATEGORIES, *settings.extract.category_keywords)
        if word not in known:
            return f"unknown category {value!r} (use {', '.join(dict.fromkeys(known))})"
        case.category = word
    else:
        return f"unknown command #{name} (known: #status, #priority, #assign, #category)"
    return ""


def external_recipients(mail: InboundMail, settings: Settings) -> list[str]:
    parsed = mail.parsed
    assert parsed is not None
    own = settings.own_addresses()
    return [a.email for a in [*parsed.to, *parsed.cc]
            if a.email and a.email not in own and not settings.is_staff(a.email)]


def bcc_to_us(mail: InboundMail, settings: Settings) -> bool:
    """Support is not in To/Cc, so the mail reached us as a Bcc."""
    parsed = mail.parsed
    assert parsed is not None
    return not {a.email for a in [*parsed.to, *parsed.cc]} & settings.own_addresses()


def run(mail: InboundMail, ctx) -> None:  # noqa: ANN001 - ctx is pipeline.Context
    """Step contract: see ``pipeline.STEPS``."""
    if mail.direction != "staff" or mail.case is None:
        return
    case, settings = mail.case, ctx.settings
    external = external_recipients(mail, settings)
    if external:
        case.status, case.resolved_at = "waiting", None
        case.participants = [*case.participants, *(e for e in dict.fromkeys(external) if e not in case.participants)]
        via = "Bcc" if bcc_to_us(mail, settings) else "Cc"
        mail.note("staff", f"staff reply to {', '.join(external)} (support in {via}); {case.number} waiting")
    else:
        mail.direction = "note"
        results = []
        for name, value in commands_at_top(mail.parsed.text if mail.parsed else ""):
            problem = apply(case, name, value, settings)
            line = f"#{name} {value}".strip()
            results.append(f"{line}: {problem or 'applied'}")
            if problem:
                mail.extra.setdefault("unknown_commands", []).append(f"{line}: {problem}")
        mail.extra["commands"] = results
        mail.note("staff", f"internal note on {case.number}" + (f"; {'; '.join(results)}" if results else ""))
    case.updated_at = utcnow()
    ctx.session.add(case)
