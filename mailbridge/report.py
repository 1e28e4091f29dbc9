"""Looking at results: the ``cases`` table, ``show CASE`` and the JSON export.

The export is a contract other tools read (README, "Export format"): fields are added,
never renamed or removed.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, Iterable

from sqlmodel import Session, select

from mailbridge.models import Case, Message, Outgoing, Quarantined

EXPORT_VERSION = 1


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def _ack_of(outgoing: Outgoing | None) -> dict[str, Any] | None:
    if outgoing is None:
        return None
    return {"message_id": outgoing.message_id, "sent_at": iso(outgoing.sent_at), "status": outgoing.status,
            "error": outgoing.last_error or None}


def message_json(message: Message, ack: Outgoing | None) -> dict[str, Any]:
    entities = message.entities or {}
    return {
        "message_id": message.message_id, "direction": message.direction, "from": message.from_email,
        "from_name": message.from_name, "subject": message.subject, "received_at": iso(message.received_at),
        "sent_at": iso(message.sent_at), "duplicate_of": message.duplicate_of,
        "thread_reason": message.thread_reason, "mentions_case": message.mentions_case,
        "automated_reason": message.automated_reason or None,
        "entities": {key: entities.get(key, []) for key in
                     ("account_uids", "tx_ids", "addresses", "order_ids", "timestamps", "amounts")},
        "language": message.language, "category": message.category,
        "secrets": list(message.secrets), "ack": _ack_of(ack),
        "ack_skipped_reason": message.ack_skipped_reason or None,
        "flags": list(message.flags or []), "commands": list(message.commands or []),
    }


def _ack_message_json(outgoing: Outgoing, support: str) -> dict[str, Any]:
    return {"message_id": outgoing.message_id, "direction": "ack", "from": support, "subject": outgoing.subject,
            "received_at": iso(outgoing.sent_at or outgoing.created_at), "duplicate_of": None,
            "thread_reason": "acknowledgement", "entities": {k: [] for k in
            ("account_uids", "tx_ids", "addresses", "order_ids", "timestamps", "amounts")},
            "secrets": [], "ack": None, "status": outgoing.status}


def case_json(case: Case, messages: Iterable[Message], acks: list[Outgoing], support: str,
              linked: str | None = None) -> dict[str, Any]:
    by_reply = {a.reply_to_pk: a for a in acks if a.kind == "ack"}
    items = []
    for message in messages:
        items.append(message_json(message, by_reply.get(message.id)))
        if message.id in by_reply:
            items.append(_ack_message_json(by_reply[message.id], support))
    return {"number": case.number, "status": case.status, "customer": case.customer_email,
            "customer_name": case.customer_name, "subject": case.subject, "language": case.language,
            "category": case.category, "urgent": case.urgent, "priority": case.priority,
            "resend_count": case.resend_count, "participants": list(case.participants),
            "created_at": iso(case.created_at), "updated_at": iso(case.updated_at),
            "resolved_at": iso(case.resolved_at), "assignee": case.assignee, "bounced": case.bounced,
            "linked_case": linked, "notices": [_ack_of(a) for a in acks if a.kind != "ack"], "messages": items}




def export(session: Session, support: str) -> dict[str, Any]:
    """Everything, as the documented JSON shape."""
    cases = session.exec(select(Case).order_by(Case.id)).all()
    messages: dict[int | None, list[Message]] = defaultdict(list)
    for message in session.exec(select(Message).order_by(Message.id)).all():
        messages[message.case_id].append(message)
    acks: dict[int | None, list[Outgoing]] = defaultdict(list)
    for outgoing in session.exec(select(Outgoing).order_by(Outgoing.id)).all():
        acks[outgoing.case_id].append(outgoing)
    quarantined = session.exec(select(Quarantined).order_by(Quarantined.id)).all()
    numbers = {c.id: c.number for c in cases}
    return {
        "version": EXPORT_VERSION,
        "cases": [case_json(c, messages[c.id], acks[c.id], support,
                            numbers.get(c.linked_case_id) if c.linked_case_id else None) for c in cases],
        "unassigned": [message_json(m, None) for m in messages[None]],
        "quarantined": [{"id": q.id, "message_id": q.message_id, "reason": q.reason, "source": q.source,
                         "status": q.status, "created_at": iso(q.created_at)} for q in quarantined],
    }


def cases_table(session: Session, status: str | None = None, limit: int = 50) -> list[list[str]]:
    query = select(Case).order_by(Case.id.desc()).limit(limit)  # type: ignore[union-attr]
    if status:
        query = query.where(Case.status == status)
    rows = [["CASE", "STATUS", "CUSTOMER", "MSGS", "LANG", "CATEGORY", "UPDATED", "SUBJECT"]]
    for case in session.exec(query).all():
        count = len(session.exec(select(Message.id).where(Message.case_id == case.id)).all())
        flag = "!" if case.urgent else ""
        rows.append([case.number or "", case.status + flag, case.customer_email, str(count), case.language,
                     case.category, (iso(case.updated_at) or "")[:16], case.subject[:60]])
    return rows


def format_table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)


def find_case(session: Session, number: str) -> Case | None:
    return session.exec(select(Case).where(Case.number == number.upper())).first()


def show_case(session: Session, case: Case, support: str) -> str:
    messages = session.exec(select(Message).where(Message.case_id == case.id).order_by(Message.id)).all()
    acks = session.exec(select(Outgoing).where(Outgoing.case_id == case.id).order_by(Outgoing.id)).all()
    linked = session.get(Case, case.linked_case_id) if case.linked_case_id else None
    data = case_json(case, messages, list(acks), support, linked.number if linked else None)
    lines = [f"{case.number}  {case.status}  {case.customer_name} <{case.customer_email}>",
             f"subject: {case.subject}", f"language: {case.language}  category: {case.category}  "
             f"priority: {case.priority}  resends: {case.resend_count}"
             + (f"  assignee: {case.assignee}" if case.assignee else "")
             + (f"  follows up: {linked.number}" if linked else "")
             + ("  ACK BOUNCED: check the customer's address" if case.bounced else ""), ""]
    for item in data["messages"]:
        lines.append(f"- {item['received_at'] or '?'}  {item['direction']:<9} {item['from']}  {item['subject']}")
        lines.append(f"    <{item['message_id']}>  reason: {item['thread_reason']}"
                     + (f"  duplicate of <{item['duplicate_of']}>" if item.get("duplicate_of") else "")
                     + (f"  mentions {item['mentions_case']}" if item.get("mentions_case") else ""))
        for flag in item.get("flags") or []:
            lines.append(f"    FLAG: {flag}")
        for command in item.get("commands") or []:
            lines.append(f"    command {command}")
        found = {k: v for k, v in item["entities"].items() if v}
        if found:
            lines.append(f"    entities: {found}")
        if item.get("secrets"):
            lines.append(f"    SECRETS REDACTED: {', '.join(item['secrets'])}")
        if item.get("ack"):
            lines.append(f"    ack: {item['ack']['status']} <{item['ack']['message_id']}>")
        elif item.get("ack_skipped_reason"):
            lines.append(f"    no ack: {item['ack_skipped_reason']}")
    for notice in data["notices"]:
        lines.append(f"- notice to staff: {notice['status']} <{notice['message_id']}>")
    return "\n".join(lines)
