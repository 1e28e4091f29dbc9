"""Extract: the facts staff act on (account UIDs, TxIDs, addresses, order numbers,
timestamps), the language, the category, and any secret the customer should never have
sent — which is redacted here, before anything is stored, logged or sent.

A thin adapter over the pure core in ``mailbridge.extraction``.
"""

from __future__ import annotations

from mailbridge.extraction import extract
from mailbridge.work import InboundMail


def run(mail: InboundMail, ctx) -> None:  # noqa: ANN001 - ctx is pipeline.Context
    """Step contract: see ``pipeline.STEPS``."""
    parsed = mail.parsed
    assert parsed is not None
    mail.extraction = result = extract(parsed.subject, parsed.text,
                                       attachment_names=[a.filename for a in parsed.attachments],
                                       sent_at=parsed.sent_at, rules=ctx.rules)
    found = {k: len(v) for k, v in result.entities.to_json().items() if v}
    mail.note("extract", f"{result.language} {result.category} {found or 'nothing'}"
                         + (f" secrets={result.secrets}" if result.secrets else ""))
