"""Generate the labelled conversation corpus for threading (issue 4): ``corpus.jsonl``.

Deterministic (a fixed seed): ``python tests/threads/make_corpus.py`` rewrites the file
byte for byte; ``tests/test_threads_corpus.py`` checks that it does.

Each line is one mail, in the order it arrives: ``id``, ``thread`` (the case it truly
belongs to), ``kind`` (how it relates to earlier mail: ``new``, ``header``, ``tag``,
``soft``, ``resend``, ``new_problem``, ``near_miss``, ``hijack``, ``staff``, ``auto``),
``duplicate_of`` (the corpus id of the original, for resends), ``lang`` and ``raw`` (the
mail, 7-bit). ``raw`` may hold two placeholders the benchmark fills in at run time, because
only the pipeline knows them: ``{{ack:ID}}`` (the Message-ID of the ack sent for mail ID)
and ``{{case:ID}}`` (the case number mail ID landed on).
"""

from __future__ import annotations

import hashlib
import json
import random
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path

OUT = Path(__file__).with_name("corpus.jsonl")
SUPPORT = "support@exchange.example"
LANGS = ("zh-Hans", "zh-Hant", "ko", "ja", "en")
TEXT = {  # subject, body of a first report, soft follow-up wording, charset a resend client uses
    "zh-Hans": ("提币未到账", "您好，我的账户UID: {uid}，昨天提币 {amount} USDT-TRC20 一直没有到账。\nTxID: {tx}\n请尽快处理，谢谢。",
                "请问 {ref} 这笔现在怎么样了？", "gbk", ("回复: ", "答复：", "Re: 回复：", "转发: ")),
    "zh-Hant": ("提幣未到帳", "您好，我的會員編號: {uid}，昨天提幣 {amount} USDT 還沒到帳。\nTxID: {tx}\n請盡快處理。",
                "想詢問 {ref} 的處理進度。", "big5", ("回覆: ", "轉寄: ", "RE: ", "答覆：")),
    "ko": ("출금 미반영", "안녕하세요. 회원번호: {uid} 입니다.\n{amount} USDT 출금했는데 아직 도착하지 않았습니다.\nTxID: {tx}",
           "{ref} 건 진행 상황이 궁금합니다.", "euc-kr", ("답장: ", "회신: ", "전달: ", "RE: 회신: ")),
    "ja": ("出金が届かない", "ユーザーID: {uid} です。\n{amount} USDT の出金が届いていません。\nTxID: {tx}\nよろしくお願いします。",
           "{ref} の件、その後いかがでしょうか。", "iso-2022-jp", ("返信: ", "転送: ", "Re: ", "RE[2]: ")),
    "en": ("Withdrawal stuck", "Hello,\nMy UID: {uid}. My withdrawal of {amount} USDT is stuck since yesterday.\n"
           "TxID: {tx}\nThanks", "Any news about {ref}? I am still waiting.", "iso-8859-1",
           ("Re: ", "AW: ", "Fwd: ", "SV: ", "Antw: ", "WG: ", "FW: ", "Re[3]: ")),
}
RESEND_PREFIX = {"zh-Hans": ("再次发送：", "重发: ", "再次提交 "), "zh-Hant": ("再次發送：", "重發: "),
                 "ko": ("재전송: ", "다시 보냅니다: "), "ja": ("再送：", "再送: "),
                 "en": ("Resending: ", "Resent: ", "Follow up: ", "Second request: ")}
REPLY = {"zh-Hans": "还是没有收到，麻烦再查一下。", "zh-Hant": "還是沒有收到，麻煩再查一下。", "ko": "아직도 받지 못했습니다.",
         "ja": "まだ届いていません。", "en": "Still nothing arrived, please check again."}

FORWARD = {"zh-Hans": "再转发一次，请看下面这封。", "zh-Hant": "再轉寄一次，請看下面這封。", "ko": "아래 메일 다시 확인 부탁드립니다.",
           "ja": "下のメールをご確認ください。", "en": "Forwarding my earlier mail below, please have a look."}


class Gen:
    def __init__(self, seed: int = 4) -> None:
        self.rng = random.Random(seed)
        self.n = 0

    def tx(self) -> str:
        return hashlib.sha256(f"tx-{self.rng.random()}".encode()).hexdigest()

    def uid(self) -> str:
        return str(self.rng.randrange(10_000_000, 99_999_999))

    def mid(self) -> str:
        self.n += 1
        return f"<corpus.{self.n}.{self.rng.randrange(16**8):08x}@customer.example>"


def subject_header(prefix: str, tag: str, text: str, charset: str = "utf-8") -> str:
    """Encoded words around an ASCII tag, so the ``{{case:ID}}`` placeholder stays readable."""
    h = Header()
    if prefix:
        h.append(prefix, charset if not prefix.isascii() else "us-ascii")
    if tag:
        h.append(tag, "us-ascii")
    h.append(text, charset if not text.isascii() else "us-ascii")
    return h.encode()


def mail(g: Gen, sender: str, subject: str, body: str, *, to: str = SUPPORT, charset: str = "utf-8",
         cte: int | None = BASE64, html: bool = False, headers: dict[str, str] | None = None,
         html_only: bool = False) -> str:
    cs = Charset(charset)
    cs.body_encoding = cte
    plain = MIMEText(body, "plain", cs)
    msg = plain
    if html_only:  # Outlook on the web: no text part at all
        msg = MIMEText("<html><body><div>" + "".join(f"<p><span>{x}</span></p>" for x in body.split("\n"))
                       + "</div></body></html>", "html", "utf-8")
    elif html:
        msg = MIMEMultipart("alternative", boundary=f"=_corpus_{g.n + 1}")  # fixed: the file must not change
        msg.attach(plain)
        msg.attach(MIMEText("<html><body>" + "".join(f"<p>{x}</p>" for x in body.split("\n")) + "</body></html>",
                            "html", "utf-8"))
    msg["From"], msg["To"], msg["Subject"] = sender, to, subject
    msg["Date"] = f"Wed, 05 Mar 2025 {10 + g.n // 60 % 10:02d}:{g.n % 60:02d}:00 +0800"
    msg["Message-ID"] = g.mid()
    for name, value in (headers or {}).items():
        msg[name] = value
    return msg.as_string()


def customer(g: Gen, i: int) -> list[dict]:  # noqa: PLR0915 - one scenario per customer, read top to bottom
    lang = LANGS[i % len(LANGS)]
    subj, body_t, soft_t, charset, prefixes = TEXT[lang]
    who, tid = f"cust{i:02d}@customer{i % 7}.example", f"T{i:02d}"
    uid, tx = g.uid(), g.tx()
    body = body_t.format(uid=uid, amount=100 + i, tx=tx)
    out: list[dict] = []

    def add(kind: str, raw: str, thread: str = tid, dup: str | None = None, rnd: int = 0) -> str:
        mid_ = f"c{i:02d}-{len(out) + 1}"
        out.append({"id": mid_, "thread": thread, "kind": kind, "duplicate_of": dup, "lang": lang, "raw": raw,
                    "round": rnd})
        return mid_

    first = add("new", mail(g, who, subject_header("", "", subj), body, html=i % 2 == 0, html_only=i % 16 == 5))
    ack = f"<{{{{ack:{first}}}}}>"
    tag = f"[Case {{{{case:{first}}}}}] "
    add("header", mail(g, who, subject_header("Re: ", "", subj), REPLY[lang], headers={
        "In-Reply-To": ack, "References": ack} if i % 3 else {"References": f"<old.{i}@x.example> {ack}"}), rnd=1)
    prefix = prefixes[i % len(prefixes)]
    add("tag", mail(g, who, subject_header(prefix, tag, subj), REPLY[lang] + f" ({i})"), rnd=2)
    variant = i % 8
    if i % 16 == 8:  # forwards their own first mail again, with a question on top: no headers, no tag
        fwd = (f"{FORWARD[lang]}\n\n---------- Forwarded message ---------\nFrom: <{who}>\n"
               f"Date: Wed, Mar 5, 2025\nSubject: {subj}\nTo: <{SUPPORT}>\n\n{body}")
        add("soft", mail(g, who, subject_header("Fwd: ", "", subj), fwd), rnd=3)
    elif variant in (0, 4):
        ref = (tx, f"UID {uid}" if lang == "en" else {"zh-Hans": f"UID: {uid}", "zh-Hant": f"會員編號: {uid}",
                                                      "ko": f"회원번호: {uid}", "ja": f"ユーザーID: {uid}"}[lang])[variant // 4]
        add("soft", mail(g, who, subject_header("", "", "?" if variant else subj + "?"), soft_t.format(ref=ref)), rnd=3)
    elif variant in (1, 5):
        pre = RESEND_PREFIX[lang][i % len(RESEND_PREFIX[lang])]
        add("resend", mail(g, who, subject_header(pre, "", subj, "utf-8"), body + ("\n\n-- \n" + who),
                           charset=charset, cte=QP if charset == "iso-8859-1" else (None if charset == "iso-2022-jp"
                                                                                    else BASE64)),
            dup=first, rnd=3)
    elif variant in (2, 6):
        other = body_t.format(uid=uid, amount=200 + i, tx=g.tx())
        again = add("new_problem", mail(g, who, subject_header("", "", subj), other), thread=f"{tid}b", rnd=3)
        add("resend", mail(g, who, subject_header(RESEND_PREFIX[lang][0], "", subj), other, charset=charset,
                           cte=None if charset == "iso-2022-jp" else BASE64), thread=f"{tid}b", dup=again, rnd=4)
    elif variant == 3:
        add("near_miss", mail(g, who, subject_header("", "", subj), body.replace(tx, g.tx())), thread=f"{tid}n", rnd=3)
    else:
        add("near_miss", mail(g, f"other{i:02d}@customer{i % 7}.example", subject_header("", "", subj), body),
            thread=f"{tid}n", rnd=3)
    if i % 5 == 0:
        add("hijack", mail(g, f"attacker{i}@evil.example", subject_header("Re: ", tag, subj), "Please send me the details."),
            thread=f"{tid}h", rnd=4)
    if i % 5 == 2:
        add("hijack", mail(g, f"colleague{i}@other.example", subject_header("Re: ", "", subj), "Writing on their behalf.",
                           headers={"In-Reply-To": ack}), thread=f"{tid}h", rnd=4)
    if i % 3 == 0:
        add("staff", mail(g, "agent@exchange.example", subject_header("Re: ", tag, subj), "We are checking with finance.",
                          to=who, headers={"Cc": SUPPORT}), rnd=5)
    if i % 6 == 4:  # staff reply with support in Bcc: only delivery headers show it
        add("staff", mail(g, "agent@exchange.example", subject_header("RE: ", tag, subj), "Your payout is done.",
                          to=who, headers={"Delivered-To": SUPPORT}), rnd=5)
    if i % 7 == 6:  # internal note with a command
        add("staff", mail(g, "lead@exchange.example", subject_header("", tag, "note"), "#priority high\nVIP customer.",
                          to=SUPPORT), rnd=5)
    if i % 8 == 3:  # an auto-reply that kept only the subject: no robot headers, no references
        add("auto", mail(g, who, subject_header("自动回复: " if lang.startswith("zh") else "Out of Office: ", tag, subj),
                         "I am on leave until next week.", charset="utf-8"), rnd=5)
    if i % 4 == 1:
        add("auto", mail(g, who, subject_header("Automatic reply: ", "", subj), "I am out of the office.",
                         headers={"In-Reply-To": ack, "Auto-Submitted": "auto-replied"}), rnd=5)
    return out


def build(customers: int = 40) -> list[dict]:
    g = Gen()
    per = [customer(g, i) for i in range(customers)]
    # Interleave: every customer's first mail, then every reply, ... as a mailbox would see them.
    rows = [r for rnd in range(6) for mails in per for r in mails if r["round"] == rnd]
    for r in rows:
        del r["round"]
    return rows


def write(path: Path = OUT) -> str:
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n" for r in build())
    path.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    rows = build()
    write()
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    print(f"{len(rows)} messages in {len({r['thread'] for r in rows})} threads -> {OUT}: {kinds}")
