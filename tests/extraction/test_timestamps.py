"""find_timestamps: every form the issue lists, zone precedence, relative words, decoys,
the labelled corpus, and property tests.

Expected values are worked out by hand: local time minus the offset in force.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbridge.extraction.timestamps import find_timestamps

CORPUS = Path(__file__).parent / "corpus" / "timestamps.jsonl"


def tz(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


CN = datetime(2025, 3, 5, 18, 30, tzinfo=tz(8))  # Wed, 05 Mar 2025 18:30 +0800
KR = datetime(2025, 3, 6, 1, 30, tzinfo=tz(9))  # Thu, 06 Mar 2025 01:30 +0900
US = datetime(2025, 3, 5, 9, 15, tzinfo=tz(-5))  # Wed, 05 Mar 2025 09:15 -0500
UTC = datetime(2025, 3, 5, 23, 30, tzinfo=timezone.utc)


def iso(stamps) -> list[str]:
    return [s.value.isoformat().replace("+00:00", "Z") for s in stamps]


def one(text: str, sent_at: datetime | None):
    found = find_timestamps(text, sent_at)
    assert len(found) == 1, found
    return found[0]


# (text, Date header, UTC value, precision)
FORMS = [
    ("2025-03-05 10:17:54", CN, "2025-03-05T02:17:54Z", "second"),
    ("2025/3/5 10:17", CN, "2025-03-05T02:17:00Z", "minute"),
    ("2025.03.05 10:17", CN, "2025-03-05T02:17:00Z", "minute"),
    ("05.03.2025 10:17 UTC+8", US, "2025-03-05T02:17:00Z", "minute"),
    ("2025-03-05T10:17:54Z", CN, "2025-03-05T10:17:54Z", "second"),
    ("2025-03-05T10:17:54.123+09:00", CN, "2025-03-05T01:17:54Z", "second"),
    ("2025-03-05 10:17:54 -0500", CN, "2025-03-05T15:17:54Z", "second"),
    ("2025年3月5日 10时17分", CN, "2025-03-05T02:17:00Z", "minute"),
    ("2025年3月5日10:17", CN, "2025-03-05T02:17:00Z", "minute"),
    ("2025年3月5日下午3点", CN, "2025-03-05T07:00:00Z", "hour"),
    ("3月5日上午10点17分", CN, "2025-03-05T02:17:00Z", "minute"),
    ("2025年03月05日 10點17分", CN, "2025-03-05T02:17:00Z", "minute"),
    ("2025年3月5日 10时17分54秒", CN, "2025-03-05T02:17:54Z", "second"),
    ("2025年3月5日（星期三）下午3点半", CN, "2025-03-05T07:30:00Z", "minute"),
    ("三月五日下午三点", CN, "2025-03-05T07:00:00Z", "hour"),
    ("２０２５年３月５日 １０：１７", CN, "2025-03-05T02:17:00Z", "minute"),
    ("2025년 3월 5일 오전 10:17", KR, "2025-03-05T01:17:00Z", "minute"),
    ("2025년 3월 5일 오후 3시 20분", KR, "2025-03-05T06:20:00Z", "minute"),
    ("2025년 3월 5일 (수) 오후 3시 반", KR, "2025-03-05T06:30:00Z", "minute"),
    ("2025. 3. 5. 오후 2:30", KR, "2025-03-05T05:30:00Z", "minute"),
    ("2025年3月5日 午後3時", KR, "2025-03-05T06:00:00Z", "hour"),
    ("3月5日(水) 15時20分", KR, "2025-03-05T06:20:00Z", "minute"),
    ("March 5, 2025 10:17 AM KST", US, "2025-03-05T01:17:00Z", "minute"),
    ("5 March 2025 at 10:17", UTC, "2025-03-05T10:17:00Z", "minute"),
    ("Mar 5 2025 3pm EST", CN, "2025-03-05T20:00:00Z", "hour"),
    ("5th of March, 2025, around 3:20 p.m.", UTC, "2025-03-05T15:20:00Z", "minute"),
    ("Wednesday, March 5th, 2025 at 10:17:54 pm PST", UTC, "2025-03-06T06:17:54Z", "second"),
    ("5-Mar-2025 10:17", UTC, "2025-03-05T10:17:00Z", "minute"),
    ("March 4 at 9:30 PM", US, "2025-03-05T02:30:00Z", "minute"),
    ("15/3/2024 10:17", UTC, "2024-03-15T10:17:00Z", "minute"),
    ("2/15/2025 at 4:05 PM", US, "2025-02-15T21:05:00Z", "minute"),
    ("March 5, 2025", UTC, "2025-03-05T00:00:00Z", "day"),
    ("2025-03-05", CN, "2025-03-04T16:00:00Z", "day"),
]


@pytest.mark.parametrize(("text", "sent_at", "expected", "precision"), FORMS)
def test_forms(text, sent_at, expected, precision):
    found = one(f"ref {text}, thanks", sent_at)
    assert iso([found]) == [expected]
    assert (found.precision, found.text) == (precision, text)


ZONES = [  # an explicit zone beats the Date header's offset (CN is +0800; US is -0500)
    ("北京时间2025年3月5日 10:17", US, "2025-03-05T02:17:00Z"),
    ("2025年3月5日 10:17 (北京時間)", US, "2025-03-05T02:17:00Z"),
    ("2025-03-05 10:17 UTC+8", US, "2025-03-05T02:17:00Z"),
    ("2025-03-05 10:17 GMT+8", US, "2025-03-05T02:17:00Z"),
    ("(UTC+08:00) 2025-03-05 10:17", US, "2025-03-05T02:17:00Z"),
    ("2025-03-05 10:17 (UTC+08:00)", US, "2025-03-05T02:17:00Z"),
    ("2025-03-05 10:17 KST", CN, "2025-03-05T01:17:00Z"),
    ("2025년 3월 5일 오후 3시 (한국시간)", CN, "2025-03-05T06:00:00Z"),
    ("한국 시간 2025년 3월 5일 오후 3시", CN, "2025-03-05T06:00:00Z"),
    ("2025-03-05 10:17 JST", CN, "2025-03-05T01:17:00Z"),
    ("日本時間 2025年3月5日 10時17分", CN, "2025-03-05T01:17:00Z"),
    ("东京时间 3月5日 10点17分", CN, "2025-03-05T01:17:00Z"),
    ("2025-03-05 10:17 HKT", US, "2025-03-05T02:17:00Z"),
    ("2025-03-05 10:17 SGT", US, "2025-03-05T02:17:00Z"),
    ("2025-03-05 10:17 UTC", CN, "2025-03-05T10:17:00Z"),
    ("2025-03-05 10:17 GMT", CN, "2025-03-05T10:17:00Z"),
    ("2025-03-05 10:17 EST", CN, "2025-03-05T15:17:00Z"),
    ("2025-03-05 10:17 PST", CN, "2025-03-05T18:17:00Z"),
    ("2025-03-05 10:17", CN, "2025-03-05T02:17:00Z"),  # no zone: the Date header's offset
    ("2025-03-05 10:17", US, "2025-03-05T15:17:00Z"),
    ("2025-03-05 10:17", None, "2025-03-05T10:17:00Z"),  # no zone, no Date: UTC
    ("2025-03-05 10:17 CST", UTC, "2025-03-05T10:17:00Z"),  # CST: China or Central? ignored
]


@pytest.mark.parametrize(("text", "sent_at", "expected"), ZONES)
def test_zone_precedence(text, sent_at, expected):
    assert iso(find_timestamps(text, sent_at)) == [expected]


RELATIVE = [  # (text, Date header, UTC value, precision)
    ("yesterday at 3pm", US, "2025-03-04T20:00:00Z", "hour"),
    ("yesterday 3pm KST", US, "2025-03-04T06:00:00Z", "hour"),
    ("3pm yesterday", US, "2025-03-04T20:00:00Z", "hour"),
    ("yesterday afternoon at 3", US, "2025-03-04T20:00:00Z", "hour"),
    ("today 10:17", US, "2025-03-05T15:17:00Z", "minute"),
    ("this morning", US, "2025-03-05T05:00:00Z", "day"),
    ("this afternoon at 2:15 pm", US, "2025-03-05T19:15:00Z", "minute"),
    ("last night around 11pm", US, "2025-03-05T04:00:00Z", "hour"),
    ("the day before yesterday", US, "2025-03-03T05:00:00Z", "day"),
    ("昨天下午3点", CN, "2025-03-04T07:00:00Z", "hour"),
    ("昨天晚上8点", CN, "2025-03-04T12:00:00Z", "hour"),
    ("昨晚1点", CN, "2025-03-04T17:00:00Z", "hour"),  # the small hours of the 5th
    ("前天", CN, "2025-03-02T16:00:00Z", "day"),
    ("今天早上", CN, "2025-03-04T16:00:00Z", "day"),
    ("今天上午10点", CN, "2025-03-05T02:00:00Z", "hour"),
    ("어제 오후 3시", KR, "2025-03-05T06:00:00Z", "hour"),  # the brief's example
    ("그저께", KR, "2025-03-03T15:00:00Z", "day"),
    ("오늘 오전 10시", KR, "2025-03-06T01:00:00Z", "hour"),
    ("어젯밤 새벽 2시", KR, "2025-03-05T17:00:00Z", "hour"),
    ("昨日", KR, "2025-03-04T15:00:00Z", "day"),
    ("昨日の午後3時", KR, "2025-03-05T06:00:00Z", "hour"),
    ("一昨日", KR, "2025-03-03T15:00:00Z", "day"),
    ("本日午前9時", KR, "2025-03-06T00:00:00Z", "hour"),
]


@pytest.mark.parametrize(("text", "sent_at", "expected", "precision"), RELATIVE)
def test_relative_words_count_from_the_date_headers_local_date(text, sent_at, expected, precision):
    found = one(text, sent_at)
    assert (iso([found]), found.precision, found.text) == ([expected], precision, text)


def test_relative_day_is_the_headers_local_date_not_utc():
    # 01:30 on the 6th in Seoul is still the 5th in UTC; "어제" is the 5th, Seoul time.
    assert iso(find_timestamps("어제 오후 3시", KR)) == ["2025-03-05T06:00:00Z"]
    # A zone word changes the clock, not which day "yesterday" is.
    assert iso(find_timestamps("한국시간 어제 오후 3시", UTC)) == ["2025-03-04T06:00:00Z"]


def test_year_less_dates_take_the_latest_such_date_not_after_the_header():
    assert iso(find_timestamps("3月5日 10点", CN)) == ["2025-03-05T02:00:00Z"]
    assert iso(find_timestamps("12月31日 10点", CN)) == ["2024-12-31T02:00:00Z"]
    assert iso(find_timestamps("March 6 at 10:00", CN)) == ["2024-03-06T02:00:00Z"]


def test_without_a_date_header_relative_and_year_less_forms_are_skipped():
    assert find_timestamps("yesterday at 3pm, 昨天下午3点, 3月5日 10点, March 5", None) == []


NOT_TIMESTAMPS = [
    "IMG_20250305_101754.jpg",
    "Screenshot 2025-03-05 at 10.17.54.png",
    "Screen Shot 2025-03-05 at 10.17.54 AM.png",
    "스크린샷 2025-03-05 오전 10.17.54.png",
    "截屏2025-03-05 10.17.54.png",
    "report_2025-03-05.pdf",
    "app version 2025.03.05",
    "v2025.03.05",
    "build 20250305",
    "order 2025-03-05-0001",
    "Ticket #2025-0042",
    "https://example.com/news/2025/03/05/outage",
    "https://example.com/?from=2025-03-05",
    "see docs/2025/03/05/outage.html",
    "2025-03-05-report",
    "0.5 BTC",
    "phone 021-2025-0305",
    "+44 20 2025 0305",
    "IP 203.0.113.45",
    "since 2025",
    "March 2025",
    "20250305",
    "at 10:17",
    "10:17 左右",
    "today",
    "今天请处理",
    "오늘 중으로 처리 부탁드립니다",
    "tonight",
    "03/05/2025",  # US or UK? skipped
    "2025-02-30 10:00",
    "2025-03-05 25:00",
    "> 2025-03-05 10:17 wrote something",
    "Sent: 2025-03-05 10:17",
    "发送时间: 2025年3月5日 10:17",
    "보낸 날짜: 2025년 3월 5일 오전 10:17",
    "送信日時: 2025年3月5日 10:17",
    "寄件日期: 2025年3月5日 下午 02:11",
    "From: a@b.c\nDate: 2025-03-05 10:17",
    "On Wed, Mar 5, 2025 at 10:17 AM Support <s@x.example> wrote:",
    "On Wed, Mar 5, 2025 at 10:17 AM Support <\ns@x.example> wrote:",
    "2025年3月5日 10:17，张三 <z@x.example> 写道：",
    "2025년 3월 5일 (수) 오전 10:17, 홍길동 <h@x.example>님이 작성:",
]


@pytest.mark.parametrize("text", NOT_TIMESTAMPS)
def test_not_timestamps(text):
    assert find_timestamps(text, CN) == []


def test_a_date_label_is_a_header_only_below_a_from_line():
    assert iso(find_timestamps("Date: 2025-03-05 10:17", CN)) == ["2025-03-05T02:17:00Z"]


def test_dedupe_and_text_order():
    text = "3月5日 15:20 入金，3月4日 09:05 又入金，3月5日 15:20 入金"
    found = find_timestamps(text, CN)
    assert iso(found) == ["2025-03-05T07:20:00Z", "2025-03-04T01:05:00Z"]
    assert [f.text for f in found] == ["3月5日 15:20", "3月4日 09:05"]


def test_naive_date_header_is_utc():
    assert iso(find_timestamps("2025-03-05 10:17", datetime(2025, 3, 5))) == ["2025-03-05T10:17:00Z"]


def test_text_is_the_customers_words():
    found = one("您好，北京时间 2025年3月5日 下午3点 充值未到账", US)
    assert found.text == "北京时间 2025年3月5日 下午3点"


def _corpus():
    return [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_corpus_accuracy_and_decoys():
    rows = _corpus()
    assert len(rows) >= 120
    wrong, decoys_hit = [], []
    for row in rows:
        found = find_timestamps(row["subject"] + "\n" + row["body"], parsedate_to_datetime(row["date"]))
        if iso(found) != row["expected"]["timestamps"]:
            wrong.append((row["id"], iso(found), row["expected"]["timestamps"]))
        decoys_hit += [(row["id"], d) for d in row["decoys"] for f in found if d in f.text or f.text in d]
    accuracy = 1 - len(wrong) / len(rows)
    assert accuracy >= 0.97, wrong
    assert decoys_hit == []


# --- properties

def h12(t: datetime) -> int:
    return t.hour % 12 or 12


def ampm(t: datetime, am: str, pm: str) -> str:
    return am if t.hour < 12 else pm


FORMATS = {  # name: (render local datetime, precision)
    "iso": (lambda t: f"{t:%Y-%m-%d %H:%M:%S}", "second"),
    "slash": (lambda t: f"{t.year}/{t.month}/{t.day} {t:%H:%M}", "minute"),
    "dots": (lambda t: f"{t:%Y.%m.%d %H:%M}", "minute"),
    "day-first": (lambda t: f"{t:%d.%m.%Y %H:%M}", "minute"),
    "zh": (lambda t: f"{t.year}年{t.month}月{t.day}日 {t.hour}时{t.minute}分", "minute"),
    "zh-colon": (lambda t: f"{t.year}年{t.month}月{t.day}日{t:%H:%M}", "minute"),
    "zh-12h": (lambda t: f"{t.year}年{t.month}月{t.day}日{ampm(t, '上午', '下午')}{h12(t)}点", "hour"),
    "zh-hant": (lambda t: f"{t.year}年{t:%m}月{t:%d}日 {t:%H}點{t:%M}分", "minute"),
    "ko": (lambda t: f"{t.year}년 {t.month}월 {t.day}일 {ampm(t, '오전', '오후')} {h12(t)}:{t:%M}", "minute"),
    "ko-words": (lambda t: f"{t.year}년 {t.month}월 {t.day}일 {ampm(t, '오전', '오후')} {h12(t)}시 {t.minute}분",
                 "minute"),
    "ja": (lambda t: f"{t.year}年{t.month}月{t.day}日 {ampm(t, '午前', '午後')}{h12(t)}時{t.minute}分", "minute"),
    "en": (lambda t: f"{t:%B} {t.day}, {t.year} {h12(t)}:{t:%M} {t:%p}", "minute"),
    "en-day-first": (lambda t: f"{t.day} {t:%B} {t.year} at {t:%H:%M}", "minute"),
    "en-hour": (lambda t: f"{t:%b} {t.day} {t.year} {h12(t)}{ampm(t, 'am', 'pm')}", "hour"),
}
ZONE_RENDERINGS = [  # (text before, text after, minutes east); None: the Date header's offset
    ("", "", None), ("", " UTC+8", 480), ("", " KST", 540), ("", " EST", -300),
    ("北京时间", "", 480), ("(UTC+09:00) ", "", 540), ("", " (한국시간)", 540), ("", " (GMT-03:30)", -210),
]
TRUNCATE = {"second": {}, "minute": {"second": 0}, "hour": {"second": 0, "minute": 0}}


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(sorted(FORMATS)),
    local=st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31)),
    zone=st.sampled_from(ZONE_RENDERINGS),
    header_minutes=st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: q * 15),
)
def test_rendered_datetimes_round_trip(name, local, zone, header_minutes):
    render, precision = FORMATS[name]
    local = local.replace(microsecond=0, **TRUNCATE[precision])
    before, after, minutes = zone
    header = timezone(timedelta(minutes=header_minutes))
    offset = timedelta(minutes=header_minutes if minutes is None else minutes)
    sent_at = datetime(2099, 1, 1, tzinfo=header)
    found = one(f"ref: {before}{render(local)}{after}, thanks", sent_at)
    assert found.value == (local - offset).replace(tzinfo=timezone.utc)
    assert found.precision == precision


DATEISH = st.sampled_from(list(
    "0123456789０１２年月日号號时時点點分秒시분초년월일오전후午前後上下晚早夜朝半반 :：.-/+()（）,TZ"
    "APMapm") + ["UTC", "KST", "北京时间", "한국시간", "昨天", "今天", "어제", "오늘", "昨日", "yesterday",
                  "today", "March ", "Mar ", "May ", "at ", "\n", "> ", "Sent: ", "IMG_", ".png", "20"])


@settings(max_examples=500, deadline=None)
@given(
    text=st.one_of(st.text(), st.lists(DATEISH, max_size=40).map("".join)),
    sent_at=st.one_of(st.none(), st.datetimes(timezones=st.builds(
        timezone, st.timedeltas(min_value=-timedelta(hours=23), max_value=timedelta(hours=23))))),
)
def test_arbitrary_text_never_raises(text, sent_at):
    for stamp in find_timestamps(text, sent_at):
        assert stamp.value.utcoffset() == timedelta(0)
        assert stamp.text and stamp.text in text
        assert stamp.precision in ("day", "hour", "minute", "second")
