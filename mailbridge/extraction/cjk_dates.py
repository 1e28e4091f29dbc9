"""Chinese, Korean and Japanese date vocabulary for ``timestamps``: regex pieces and word tables.

dateparser 1.5 reads many CJK dates but gets the ones our customers write most wrong
(measured 2025-03, Date header ``Thu, 06 Mar 2025 01:30 +0900``):
``2025年3月5日下午3点`` and ``昨天下午3点`` give None; ``어제 오후 3시`` and ``昨日の午後3時`` give
"yesterday at the time the mail was sent" (the 오후/午後 hour is dropped), and every call
costs about 1 ms. So these forms are ours: the tables below, read by ``timestamps.py``.
"""

from __future__ import annotations

SP = r"[ \t\u00a0\u3000]"  # spaces inside a date; newlines never join parts of one
NUM = r"(?:\d{1,2}|[〇零一二三四五六七八九十两兩]{1,3})"  # "3", "03", "三", "十二", "二十五"

# 2025年3月5日, 3月5号, 2025年03月05日, 2025년 3월 5일, 三月五日
DATE = (
    rf"(?:(?P<cy>20\d\d){SP}*[年년]{SP}*)?"
    rf"(?P<cm>{NUM}){SP}*[月월]{SP}*(?P<cd>{NUM}){SP}*[日号號일]"
)

# （星期三） (周三) (水) (水曜日) (수) 星期三 수요일 水曜日, written after a date
WEEKDAY = (
    rf"[（(]{SP}*(?:(?:星期|周|週|禮拜|礼拜)?[一二三四五六日天]|[月火水木金土日]曜?日?"
    rf"|[월화수목금토일](?:요일)?|(?i:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?){SP}*[)）]"
    r"|(?:星期|禮拜|礼拜)[一二三四五六日天]|[월화수목금토일]요일|[月火水木金土日]曜日"
)

# Part-of-day words before a time, mapped to how they turn a 12-hour clock into 24 hours
# (see ``timestamps._to_24h``): am, pm, noon (11 → 11, 1 → 13), night (8 → 20, 1 → 01:00 the
# next day: "3月5日晚上1点" is the small hours of the 6th).
PERIODS = {
    "上午": "am", "早上": "am", "早晨": "am", "清晨": "am", "凌晨": "am",
    "午前": "am", "朝": "am", "早朝": "am", "오전": "am", "새벽": "am", "아침": "am",
    "中午": "noon", "正午": "noon", "昼": "noon", "점심": "noon", "낮": "noon",
    "下午": "pm", "傍晚": "pm", "午後": "pm", "夕方": "pm", "오후": "pm", "저녁": "pm",
    "晚上": "night", "晚间": "night", "晚間": "night", "夜里": "night", "夜裡": "night",
    "深夜": "night", "半夜": "night", "夜间": "night", "夜間": "night",
    "夜": "night", "밤": "night",
}

# Words for a day relative to the Date header: word -> (days to add, implied part of day).
# A bare "today" word is not reported (see ``timestamps._read``).
RELATIVE_DAYS = {
    "今天": (0, None), "今日": (0, None), "本日": (0, None), "오늘": (0, None),
    "今早": (0, "am"), "今朝": (0, "am"),
    "今晚": (0, "night"), "今夜": (0, "night"),
    "昨天": (-1, None), "昨日": (-1, None), "어제": (-1, None), "きのう": (-1, None),
    "昨晚": (-1, "night"), "昨夜": (-1, "night"), "어젯밤": (-1, "night"),
    "前天": (-2, None), "一昨日": (-2, None), "おととい": (-2, None), "그저께": (-2, None),
    "그제": (-2, None),
    "大前天": (-3, None),
}

# Zone words as customers write them, in minutes east of UTC.
ZONE_WORDS = {
    "北京时间": 480, "北京時間": 480, "中国时间": 480, "中國時間": 480, "东八区": 480,
    "東八區": 480, "香港时间": 480, "香港時間": 480, "台北时间": 480, "台北時間": 480,
    "台湾时间": 480, "台灣時間": 480, "新加坡时间": 480, "新加坡時間": 480,
    "베이징시간": 480, "베이징 시간": 480, "중국시간": 480, "중국 시간": 480,
    "한국시간": 540, "한국 시간": 540, "서울시간": 540, "서울 시간": 540,
    "韩国时间": 540, "韓國時間": 540, "韓国時間": 540, "首尔时间": 540, "首爾時間": 540,
    "일본시간": 540, "일본 시간": 540, "日本时间": 540, "日本時間": 540, "东京时间": 540,
    "東京時間": 540, "东九区": 540, "東九區": 540,
    "格林尼治时间": 0, "格林威治时间": 0, "格林威治時間": 0,
}

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}


def number(word: str) -> int | None:
    """``"05"`` → 5, ``"十二"`` → 12, ``"二十五"`` → 25, ``"零五"`` → 5; None if not a number."""
    if word.isascii():
        return int(word) if word.isdigit() else None
    if "十" not in word:
        value = 0
        for ch in word:
            if ch not in _DIGITS:
                return None
            value = value * 10 + _DIGITS[ch]
        return value
    tens, _, ones = word.partition("十")
    high = _DIGITS.get(tens, -1) if tens else 1
    low = _DIGITS.get(ones, -1) if ones else 0
    return None if high < 0 or low < 0 else high * 10 + low
