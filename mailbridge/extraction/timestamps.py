"""Timestamps customers report ("2025年3月5日 10时17分", "어제 오후 3시"), normalised to UTC.

Staff ask "when did it happen?" first; this module answers from the customer's own words.
Cheap pivots (a ``20xx`` year, 月/월, an English month stem, a relative-day word) give the
places where an *anchor* may start; ``_ANCHOR`` reads the date or relative word there,
``_TAIL`` what follows it (weekday, part of day, time, zone), and a short look back picks up a
zone or an English time written before it ("北京时间 3月5日", "3pm yesterday"). English
month-name dates ("March 5, 2025", "5th of March") go to dateparser; numeric and CJK dates,
times, zones and relative words are read here (what dateparser gets wrong: ``cjk_dates``).

Decisions, each pinned by a test in ``tests/extraction/test_timestamps.py``:

- Zone: an explicit zone next to the timestamp wins (``UTC+8``, ``KST``, ``北京时间``,
  ``(UTC+08:00)``, ``+08:00``); otherwise the UTC offset of ``sent_at`` (the Date header);
  no ``sent_at`` and no zone: UTC. ``CST`` (China or US Central?) and ``ET``/``PT`` (which
  side of DST?) are not zones here; ``IST`` is India, ``BST`` British Summer Time.
- Relative words ("yesterday", "昨天", "어제", "一昨日") count from ``sent_at``'s *local* date, in
  its own offset, whatever zone the time is then read in. A year-less date ("3月5日",
  "March 5") takes the latest such date not after ``sent_at``'s local date. Without
  ``sent_at`` both are skipped: there is nothing honest to count from.
- Precision is what was written: a date or a part of day alone → "day" (value: local
  midnight, as UTC), an hour ("3pm", "下午3点") → "hour", minutes or 半/반 → "minute",
  seconds → "second". "this morning", "今天早上", "오늘 오전" are day precision.
- Not reported: a bare "today"/"今天"/"오늘"/"tonight" (usually a request: "please reply
  today"); a time with no date or relative word ("10:17"); a year alone; month and year alone;
  compact dates (``20250305``); numeric dates in file names, URLs, version numbers or glued to
  other digits (``IMG_20250305_101754.jpg``, ``Screenshot 2025-03-05 at 10.17.54.png``,
  ``v2025.03.05``, ``2025-03-05-0001``); slash or dash dates whose day/month order is
  ambiguous (``03/05/2025``: US and UK customers disagree; ``15/3/2025`` and dotted
  ``05.03.2025`` are day-first); lines that look like quoted history or forwarded headers
  (``> ...``, ``Sent:``, ``发送时间:``, ``On ... wrote:``; ``Date:``/``日期:`` only below a From line).
- "晚上/夜/밤/night" with 12 or an hour before 5 is the small hours of the next day
  ("昨晚1点" and "어젯밤 새벽 2시" are on the day the mail was sent).
- English month names are read in any case, except that lower-case "may" is the verb.
- Cost (one core, 2 KB): ~10 µs with no digit and no relative word; ~30 µs for typical mail
  with ids and amounts but no date; each English month-name date adds one dateparser call
  (~0.5–1 ms; cached per text and Date-header day).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache

import dateparser

from mailbridge.extraction import cjk_dates as cjk
from mailbridge.extraction.cjk_dates import NUM, SP
from mailbridge.extraction.types import Timestamp
from mailbridge.extraction.wordtrie import SPACE, trie_pattern

_ZONE_ABBREVIATIONS = {  # minutes east of UTC
    "UTC": 0, "GMT": 0, "WET": 0, "BST": 60, "CET": 60, "CEST": 120, "EET": 120, "EEST": 180,
    "MSK": 180, "IST": 330, "ICT": 420, "WIB": 420, "HKT": 480, "SGT": 480, "MYT": 480,
    "PHT": 480, "AWST": 480, "KST": 540, "JST": 540, "AEST": 600, "AEDT": 660, "NZST": 720,
    "NZDT": 780, "EST": -300, "EDT": -240, "CDT": -300, "MST": -420, "MDT": -360,
    "PST": -480, "PDT": -420,
}
_ZONE_WORDS = {**cjk.ZONE_WORDS, "beijing time": 480, "china time": 480, "hong kong time": 480,
               "singapore time": 480, "korea time": 540, "korean time": 540, "seoul time": 540,
               "japan time": 540, "tokyo time": 540}
_ZONE_MINUTES = {"".join(name.split()).lower(): minutes
                 for name, minutes in {**_ZONE_ABBREVIATIONS, **_ZONE_WORDS, "Z": 0}.items()}
_EN_RELATIVE = {"the day before yesterday": (-2, None), "yesterday": (-1, None), "today": (0, None),
                "tonight": (0, "night"), "last": (-1, None), "this": (0, None)}
_EN_PERIODS = {"morning": "am", "afternoon": "pm", "evening": "pm", "night": "night"}


def _alternation(words) -> str:
    return "|".join(re.escape(w).replace(r"\ ", f"{SP}?") for w in sorted(words, key=len, reverse=True))


_ABBREVIATION = rf"(?<![A-Za-z])(?:{_alternation(_ZONE_ABBREVIATIONS)})(?![A-Za-z])"
_UTC_OFFSET = rf"(?<![A-Za-z])(?:UTC|GMT){SP}*[+\-−]{SP}*\d\d?(?::?\d\d)?(?![0-9])"
_NAMED_ZONE = rf"(?:{_UTC_OFFSET}|{_ABBREVIATION}|(?i:{_alternation(_ZONE_WORDS)}))"
_ZONE = rf"(?:{_NAMED_ZONE}|[+\-]\d\d:?\d\d(?![0-9:])|Z(?![A-Za-z0-9]))"  # the last two: ISO only
_AMPM = r"(?i:[ap]\.?m\.?)(?![A-Za-z])"
_EN_MONTH = (r"(?:(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|june?|july?|aug(?:ust)?"
             r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)|May|MAY)\.?(?![A-Za-z])")

_ANCHOR = re.compile(
    rf"(?P<ymd>(?P<y>20\d\d){SP}?(?P<ys>[-/.]){SP}?(?P<ym>\d\d?){SP}?(?P=ys){SP}?(?P<yd>\d\d?))(?![0-9])"
    rf"|(?P<dmy>(?P<da>\d\d?)(?P<ds>[-/.])(?P<db>\d\d?)(?P=ds)(?P<dy>20\d\d))(?![0-9])"
    rf"|(?P<cjk>{cjk.DATE})"
    rf"|(?P<en2>(?P<ed2>\d\d?)(?:st|nd|rd|th)?(?:{SP}+(?:of{SP}+)?|-)(?P<em2>{_EN_MONTH})"
    rf"(?:(?:,?{SP}*|-)(?P<ey2>20\d\d)(?![0-9:]))?)"
    rf"|(?P<en1>(?P<em1>{_EN_MONTH}){SP}*(?P<ed1>\d\d?)(?:st|nd|rd|th)?(?![0-9:])"
    rf"(?:,?{SP}*(?P<ey1>20\d\d)(?![0-9:]))?)"
    rf"|(?P<rel>(?i:the{SP}+day{SP}+before{SP}+yesterday|yesterday|today|tonight"
    rf"|last(?={SP}+night)|this(?={SP}+(?:morning|afternoon|evening)))"
    rf"|(?<!엊){_alternation(cjk.RELATIVE_DAYS)}(?![서야]))"
)

_YEAR = re.compile("20[0-9][0-9]")
_DAY_MONTH_BEFORE = re.compile(r"[0-9][0-9]?([-/.])[0-9][0-9]?\1\Z")
_DAY_BEFORE_MONTH = re.compile(rf"[0-9][0-9]?(?:st|nd|rd|th)?(?:{SP}+(?:of{SP}+)?|-)\Z")
_MONTH_STEMS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN_RELATIVE_WORDS = ("yesterday", "today", "tonight", "last night", "this morning", "this afternoon",
                      "this evening", "the day before yesterday")
# Both lists in one pattern (matched on lower-cased text): one scan instead of twenty
# substring searches. No relative word starts with a month stem's letter, nor the reverse.
_EN_PIVOT = re.compile(trie_pattern(_MONTH_STEMS + _EN_RELATIVE_WORDS).replace(SPACE, " "))
_RELATIVE_FIRST = frozenset(w[0] for w in _EN_RELATIVE_WORDS)
_CJK_MONTH = re.compile("[月월]")
_CJK_BEFORE_MONTH = re.compile(rf"(?:20[0-9][0-9]{SP}*[年년]{SP}*)?{NUM}{SP}*\Z")
_CJK_RELATIVE = re.compile(_alternation(cjk.RELATIVE_DAYS))

_GLUE = (r"(?:(?i:approximately|approx\.?|around|about|at)(?![A-Za-z])"
         r"|@|大约|大約|大概|于|於|约|約|在|대략|약)")
_TIME = (
    rf"(?P<h>\d\d?)[:：](?P<mi>\d\d)(?:[:：](?P<s>\d\d)(?:[.,]\d{{1,6}})?)?(?![0-9])"
    rf"|(?P<ch>{NUM}){SP}*[点點时時시](?:{SP}*(?P<half>半|반)"
    rf"|{SP}*(?P<cmi>{NUM}){SP}*[分분](?:{SP}*(?P<cs>{NUM}){SP}*[秒초])?|(?P<cmj>\d\d)(?![0-9.]))?"
    rf"|(?P<eh>\d\d?)(?={SP}?{_AMPM})"
    rf"|(?P<noon>(?i:noon|midday)(?![A-Za-z]))"
    rf"|(?(eper)(?P<bh>\d\d?)(?![0-9:.])|(?!))"
)
_CJK_PERIOD = _alternation(cjk.PERIODS) + r"|(?i:am|pm)(?![A-Za-z])"
_EN_PERIOD = r"(?i:morning|afternoon|evening|night)(?![A-Za-z])"
_TAIL = re.compile(
    rf"(?P<wd>{SP}*(?:{cjk.WEEKDAY}))?"
    rf"(?:(?:T|{SP}*[,，、.の的]?{SP}*(?:{_GLUE}{SP}*)?)"
    rf"(?:(?P<z1>{_NAMED_ZONE}){SP}*)?"
    rf"(?:(?:(?P<cper>{_CJK_PERIOD})|(?P<eper>{_EN_PERIOD})(?:{SP}+{_GLUE})?){SP}*)?"
    rf"(?P<time>{_TIME})(?:{SP}*(?P<ap>{_AMPM}))?"
    rf"|{SP}*[,，、の的]?{SP}*(?:(?P<cper2>{_CJK_PERIOD})|(?P<eper2>{_EN_PERIOD})))?"
    rf"(?P<zt>{SP}*(?:[（(]{SP}*(?P<z2>{_ZONE}){SP}*(?:기준{SP}*)?[)）]|(?P<z3>{_ZONE})(?:{SP}*기준)?))?"
)
_PRE_ZONE = re.compile(rf"(?:[（(]{SP}*)?(?P<z>{_NAMED_ZONE})(?:{SP}*기준)?{SP}*[)）]?{SP}*[:：]?{SP}*\Z")
_WEEKDAY_BEFORE = re.compile(
    rf"(?<![A-Za-z])(?i:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?i:day)?\.?,?{SP}+\Z")
_PRE_TIME = re.compile(
    rf"(?<![0-9:.])(?P<h>\d\d?)(?::(?P<mi>\d\d)(?::(?P<s>\d\d))?)?{SP}*(?P<ap>{_AMPM})?"
    rf"{SP}+(?:(?i:on){SP}+)?\Z"
)
_ZONE_PARTS = re.compile(r"(?:UTC|GMT)\s*([+\-−])\s*(\d\d?):?(\d\d)?|([+\-])(\d\d):?(\d\d)")
_FULLWIDTH_DIGITS = {0xFF10 + i: 0x30 + i for i in range(10)}
_HAS_FULLWIDTH_DIGIT = re.compile("[０-９]")
_ASCII_DIGIT = re.compile("[0-9]")
_NUMERIC_BEFORE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./\\+-=#@")
"""A numeric date right after one of these is part of a name, path, id or version."""
_GLUED_AFTER = re.compile(r"[0-9]|[-/_][0-9A-Za-z]|\.[0-9]")  # 2025-03-05-0001, 2025/03/05/a.html
_VERSION_BEFORE = re.compile(
    r"(?:(?<![A-Za-z])(?i:version|ver\.?|build|v)|版本号?|버전|バージョン)\s*[:：]?\s*\Z")
_FILE_NAME_AFTER = re.compile(
    r"(?:[ _\-]*(?:at|오전|오후|午前|午後|上午|下午)?[ ]*[0-9][0-9.:_\- ]*(?:[AaPp][Mm])?)?"
    r"[^\s,，。;；:：!?！？()（）]{0,40}?"
    r"\.(?i:png|jpe?g|gif|bmp|webp|heic|heif|tiff?|pdf|mp4|mov|avi|txt|log|csv|xlsx?|docx?|zip|rar|7z)"
    r"(?![A-Za-z0-9])"
)
_FROM_LABEL = re.compile(
    r"[ \t>*]*(?i:from|发件人|發件人|寄件者|寄件人|보낸\s?사람|差出人|von|de)\s*\**\s*[:：]")
_DATE_LABEL = re.compile(  # "sure": only ever a mail header; the rest only below a From line
    r"[ \t>*]*(?:(?P<sure>(?i:sent|gesendet|envoyé)|发送时间|發送時間|发送日期|發送日期|寄件日期"
    r"|보낸\s?날짜|送信日時)|(?i:date|datum)|日期|날짜|日時)\s*\**\s*[:：]"
)
_ATTRIBUTION = re.compile(r"(?:(?i:wrote|schrieb|a écrit)|写道|寫道|작성|のメール|>)\s*[:：]\s*\Z")


def find_timestamps(text: str, sent_at: datetime | None) -> list[Timestamp]:
    """Timestamps in ``text``, in text order; zone-less ones take ``sent_at``'s UTC offset,
    relative ones ("yesterday 3pm") are relative to ``sent_at``'s local date.

    >>> sent = datetime(2025, 3, 6, 1, 30, tzinfo=timezone(timedelta(hours=9)))
    >>> [(t.value.isoformat(), t.text, t.precision)
    ...  for t in find_timestamps("어제 오후 3시에 출금했는데 아직 안 왔어요", sent)]
    [('2025-03-05T06:00:00+00:00', '어제 오후 3시', 'hour')]
    """
    norm = text
    if not text.isascii() and _HAS_FULLWIDTH_DIGIT.search(text):
        norm = text.translate(_FULLWIDTH_DIGITS)  # same length: spans still index ``text``
    starts = _candidates(norm)
    if not starts:  # the common case
        return []
    if sent_at is not None and sent_at.utcoffset() is None:
        sent_at = sent_at.replace(tzinfo=timezone.utc)  # a naive Date is taken as UTC
    found: list[Timestamp] = []
    seen: set[tuple[datetime, str]] = set()
    done = 0  # end of the last timestamp: they never overlap
    for position in starts:
        anchor = _ANCHOR.match(norm, position) if position >= done else None
        if anchor is None:
            continue
        skipped_line_end = _quoted_or_header_line_end(norm, position)
        if skipped_line_end:  # nothing on this line is the customer's own statement
            done = skipped_line_end
            continue
        read = _read(norm, anchor, sent_at, done)
        if read is None:
            continue
        start, done, value, precision = read
        stamp = Timestamp(value=value, text=text[start:done], precision=precision)
        if (value, stamp.text) not in seen:
            seen.add((value, stamp.text))
            found.append(stamp)
    return found


def _candidates(text: str) -> list[int]:
    """Where an anchor may start, found with plain substring searches and literal-led regexes.

    One alternation regex over the whole text cost ~1 ms per 2 KB (Python's ``re`` only skips
    ahead on a literal or a single character class); these pivots cost a few microseconds:
    a year (``20xx``), 月/월, an English month stem, a relative-day word.
    """
    starts: set[int] = set()
    has_digit = _ASCII_DIGIT.search(text) is not None
    if has_digit:
        for year in _YEAR.finditer(text):
            starts.add(year.start())
            day_month = _DAY_MONTH_BEFORE.search(text, max(0, year.start() - 6), year.start())
            if day_month:
                starts.add(day_month.start())
    lower = text.lower()
    pivot = _EN_PIVOT.search(lower)
    while pivot is not None:  # searched again one character on: every start, overlapping ones too
        at = pivot.start()
        if lower[at] in _RELATIVE_FIRST:
            starts.add(at)
        elif has_digit:  # a month stem: a date needs a digit
            starts.add(at)
            day = _DAY_BEFORE_MONTH.search(text, max(0, at - 10), at)
            if day:
                starts.add(day.start())
        pivot = _EN_PIVOT.search(lower, at + 1)
    if not text.isascii():
        for month in _CJK_MONTH.finditer(text):
            before = _CJK_BEFORE_MONTH.search(text, max(0, month.start() - 12), month.start())
            if before:
                starts.add(before.start())
        starts.update(word.start() for word in _CJK_RELATIVE.finditer(text))
    return sorted(starts)


def _read(text: str, anchor: re.Match, sent_at: datetime | None, done: int):
    """(start, end, UTC value, precision) for one anchor, or None when it is not a timestamp."""
    kind = anchor.lastgroup or ""
    if kind != "rel" and _in_url(text, anchor.start()):
        return None
    local = sent_at.date() if sent_at is not None else None
    day = _anchor_day(text, anchor, kind, local)
    if day is None:
        return None
    when, implied = day
    tail = _TAIL.match(text, anchor.end())
    assert tail is not None  # every part of _TAIL is optional: it always matches
    start, end = anchor.start(), tail.end("wd") if tail.group("wd") else anchor.end()
    clock = _clock(tail, implied)
    if clock is False:
        return None
    if clock is not None:
        end = tail.end("ap") if tail.group("ap") else tail.end("time")
    elif tail.group("cper2") or tail.group("eper2"):
        end = tail.end("cper2") if tail.group("cper2") else tail.end("eper2")
    zone_text = tail.group("z2") or tail.group("z3")
    if zone_text and _zone_allowed(zone_text, tail, clock):
        end = tail.end("zt")
    else:
        zone_text = tail.group("z1")
    if clock is None and kind != "ymd" and anchor.group().isascii():
        pre = _PRE_TIME.search(text, max(done, start - 16), start)
        if pre and (pre.group("mi") or pre.group("ap")):  # "3pm yesterday", "10:17 on 5 March"
            clock = _clock_from(pre, _period_word(pre.group("ap")) or implied)
            if clock is False:
                return None
            start = pre.start()
    if kind == "en1":
        weekday = _WEEKDAY_BEFORE.search(text, max(done, start - 12), start)
        start = weekday.start() if weekday else start
    if zone_text is None:
        pre = _PRE_ZONE.search(text, max(done, start - 24), start)
        if pre:
            zone_text, start = pre.group("z"), pre.start()
    if when == 0 and clock is None and (_tail_period(tail, implied) or "") not in ("am", "noon", "pm"):
        return None  # bare "today"/"tonight": a request more often than a report
    if kind != "rel" and _FILE_NAME_AFTER.match(text, end):
        return None
    value = _to_utc(when, clock, zone_text, sent_at)
    if value is None:
        return None
    while end > start and text[end - 1] in " \t\u00a0\u3000":
        end -= 1
    return start, end, value, clock[3] if clock else "day"


def _anchor_day(text: str, anchor: re.Match, kind: str, local: date | None):
    """(the date, or for a relative word the days to add to ``local``; the part of day the
    word implies), or None when the anchor is not a date."""
    g = anchor.group
    before = text[anchor.start() - 1] if anchor.start() else " "
    if kind == "rel":
        word = " ".join(g("rel").lower().split())
        days, implied = _EN_RELATIVE.get(word) or cjk.RELATIVE_DAYS[g("rel")]
        return (days, implied) if local is not None else None
    if kind in ("ymd", "dmy"):
        if before in _NUMERIC_BEFORE or _GLUED_AFTER.match(text, anchor.end()):
            return None
        if _VERSION_BEFORE.search(text, max(0, anchor.start() - 12), anchor.start()):
            return None
        if kind == "ymd":
            found = _date(int(g("y")), int(g("ym")), int(g("yd")))
        else:
            found = _day_month_year(int(g("da")), int(g("db")), int(g("dy")), g("ds"))
    elif kind == "cjk":
        month, day = cjk.number(g("cm")), cjk.number(g("cd"))
        if before.isascii() and (before.isalnum() or before == "_") or month is None or day is None:
            return None
        found = _date(int(g("cy")), month, day) if g("cy") else _year_less(month, day, local)
    else:
        if before.isascii() and before.isalpha() or kind == "en2" and before in "0123456789.,":
            return None
        has_year = g("ey1") or g("ey2")
        if not has_year and local is None:
            return None
        found = _english_date(" ".join(g().split()), None if has_year else local)
        if found is not None and found.day != int(g("ed1") or g("ed2")):
            found = None  # dateparser read something other than what we matched
    return (found, None) if found is not None else None


@lru_cache(maxsize=4096)
def _english_date(words: str, base: date | None) -> date | None:
    """dateparser for English month-name dates ("Wed, March 5th, 2025", "5 Mar"): a year-less
    one is the latest such date on or before ``base`` (PREFER_DATES_FROM past)."""
    settings = {"PREFER_DATES_FROM": "past", "PARSERS": ["absolute-time"],
                "RETURN_AS_TIMEZONE_AWARE": False}
    if base is not None:
        settings["RELATIVE_BASE"] = datetime(base.year, base.month, base.day, 12)
    parsed = dateparser.parse(words, languages=["en"], settings=settings)
    return parsed.date() if parsed else None


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _day_month_year(a: int, b: int, year: int, sep: str) -> date | None:
    """``05.03.2025`` is day-first; ``15/3/2025`` and ``3/15/2025`` say which is the day;
    ``03/05/2025`` does not (US and UK customers read it differently), so it is skipped."""
    if sep == "." or a > 12 or a == b:
        return _date(year, b, a)
    return _date(year, a, b) if b > 12 else None


def _year_less(month: int, day: int, local: date | None) -> date | None:
    if local is None:
        return None
    found = _date(local.year, month, day)
    if found is None or found > local:
        found = _date(local.year - 1, month, day)
    return found


def _clock(tail: re.Match, implied: str | None):
    """(hour, minute, second, precision, days to add) from the tail; None if it has no
    time; False if the time is impossible ("25:00", "上午13点"; "下午15点" is fine)."""
    if tail.group("time") is None:
        return None
    period = _period_word(tail.group("ap")) or _tail_period(tail, implied)
    clock = _clock_from(tail, period)
    if clock and implied == "night" and period != "night" and clock[0] < 5:
        clock = (*clock[:4], 1)  # "어젯밤 새벽 2시": the small hours after last night
    return clock


def _clock_from(m: re.Match, period: str | None):
    """``_clock`` for the time groups of ``_TIME`` or ``_PRE_TIME`` in ``m``."""
    g = m.groupdict()
    if g.get("noon"):
        return 12, 0, 0, "hour", 0
    hour = _number(g.get("h") or g.get("eh") or g.get("bh") or g.get("ch"))
    minute_text, second_text = g.get("mi") or g.get("cmj") or g.get("cmi"), g.get("s") or g.get("cs")
    minute = 30 if g.get("half") else _number(minute_text)
    second = _number(second_text)
    if hour is None or minute_text and minute is None or second_text and second is None:
        return False
    shifted = _to_24h(hour, period)
    if shifted is None or (minute or 0) > 59 or (second or 0) > 59:
        return False
    precision = "second" if second is not None else "minute" if minute is not None else "hour"
    return shifted[0], minute or 0, second or 0, precision, shifted[1]


def _number(word: str | None) -> int | None:
    return cjk.number(word) if word else None


def _period_word(word: str | None) -> str | None:
    if not word:
        return None
    if word in cjk.PERIODS:
        return cjk.PERIODS[word]
    return "am" if word[0] in "aA" else "pm" if word[0] in "pP" else None


def _tail_period(tail: re.Match, implied: str | None) -> str | None:
    words = tail.group("cper") or tail.group("cper2")
    english = tail.group("eper") or tail.group("eper2")
    return _period_word(words) or _EN_PERIODS.get((english or "").lower()) or implied


def _to_24h(hour: int, period: str | None) -> tuple[int, int] | None:
    """(hour on a 24-hour clock, days to add), or None for an impossible hour."""
    if hour > 23 or period == "am" and hour > 12:
        return None
    if period == "am":
        return (0 if hour == 12 else hour), 0
    if period == "pm":
        return (hour + 12 if hour < 12 else hour), 0
    if period == "noon":
        return (hour + 12 if 1 <= hour <= 5 else hour), 0
    if period == "night":
        if 6 <= hour < 12:
            return hour + 12, 0
        if hour == 12 or hour < 5:
            return hour % 12, 1
    return hour, 0


def _zone_allowed(zone_text: str, tail: re.Match, clock) -> bool:
    """``Z`` and ``+08:00`` only close a time, ``Z`` with no space; ``-05:00`` only after
    seconds or ``T`` (else "10:17-10:30", a range, would be read as a zone)."""
    if zone_text[0] not in "+-Z":
        return True
    if clock is None:
        return False
    if zone_text == "Z":
        return tail.end("ap" if tail.group("ap") else "time") == tail.start("zt")
    iso_t = tail.string[tail.end("wd") if tail.group("wd") else tail.start()] == "T"
    return zone_text[0] == "+" or bool(tail.group("s")) or iso_t


def _zone_minutes(zone_text: str) -> int | None:
    """Minutes east of UTC for "KST", "한국 시간", "UTC+8", "GMT+08:00", "+0800", "Z"."""
    compact = "".join(zone_text.split())
    if compact.lower() in _ZONE_MINUTES:
        return _ZONE_MINUTES[compact.lower()]
    parts = _ZONE_PARTS.fullmatch(compact)
    if parts is None:
        return None
    sign, hours, mins = parts.group(1, 2, 3) if parts.group(1) else parts.group(4, 5, 6)
    hours, mins = int(hours), int(mins or 0)
    if hours > 14 or mins > 59:
        return None
    return -(hours * 60 + mins) if sign in "-−" else hours * 60 + mins


def _to_utc(when: date | int, clock, zone_text: str | None,
            sent_at: datetime | None) -> datetime | None:
    """``when`` is a date, or days to add to ``sent_at``'s local date."""
    minutes = _zone_minutes(zone_text) if zone_text else None
    if minutes is not None:
        offset = timedelta(minutes=minutes)
    else:
        offset = (sent_at.utcoffset() if sent_at is not None else None) or timedelta(0)
    hour, minute, second, _, extra = clock if clock else (0, 0, 0, "day", 0)
    try:
        if isinstance(when, int):
            if sent_at is None:
                return None  # a relative day needs the Date header (_anchor_day never asks without one)
            when = sent_at.date() + timedelta(days=when)
        moment = datetime(when.year, when.month, when.day, hour, minute, second)
        return (moment + timedelta(days=extra) - offset).replace(tzinfo=timezone.utc)
    except (OverflowError, ValueError):
        return None


def _in_url(text: str, start: int) -> bool:
    window = text[max(0, start - 300):start]
    if not window or window[-1].isspace():
        return False
    token = window.split()[-1]
    return "://" in token or token.lower().startswith("www.")


def _quoted_or_header_line_end(text: str, start: int) -> int:
    """The end of the line at ``start`` if that line is quoted history, a forwarded header or
    an "On … wrote:" line; else 0."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line_end = len(text) if line_end < 0 else line_end
    line = text[line_start:line_end]
    if line.lstrip().startswith(">") or _ATTRIBUTION.search(line.rstrip()):
        return line_end
    label = _DATE_LABEL.match(line)
    if label:
        above = text[max(0, line_start - 600):line_start].splitlines()[-4:]
        if label.group("sure") or any(_FROM_LABEL.match(previous) for previous in above):
            return line_end
        return 0
    if line.startswith("On ") and line_end < len(text):
        following = text[line_end + 1:].split("\n", 1)[0]
        return line_end if _ATTRIBUTION.search(following.rstrip()) else 0
    return 0
