"""The official BIP39 word lists, indexed for finding seed phrases in customer mail.

``redaction.py`` asks two questions of this module: "which list words is this token, at which
index?" (``lookup``) and "do these word indices carry a valid BIP39 checksum?"
(``checksum_ok``). Both are language-independent once a token is turned into an index: the
checksum covers the indices, not the spelling. ``checksum_ok`` is the BIP39 definition
applied to the indices directly (11 bits per word; the first ``ENT = 32 * n / 3`` bits are
the entropy, the last ``n / 3`` bits must equal the first bits of its SHA-256), about 1 µs
against ~40 µs for spelling the words in English and asking bip-utils' validator, which the
redaction scan may do thousands of times for one long message. ``checksum_ok_bip_utils`` keeps
that reference path; the property tests hold the two equal on random and valid mnemonics.

Word lists come from bip-utils (english, chinese_simplified, chinese_traditional, korean,
spanish, french, italian, czech, portuguese). bip-utils 2.12 does not ship Japanese, so that
list is read from the trezor ``mnemonic`` package when it is installed; without it, Japanese
mnemonics are not recognised (``MISSING_LANGUAGES`` says so).

Normalisation: the lists mix NFKD (korean, spanish, french) and NFC; customers paste either,
plus full-width letters and upper case. Every word and every token is compared in one form,
``norm()`` = NFKC + lower case. Latin-script words also get an accent-free alias
(``ábaco`` → ``abaco``) when that alias is unique within its list, because customers type
them without accents.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.resources
import unicodedata
from dataclasses import dataclass

LANGUAGES = (
    "english", "chinese_simplified", "chinese_traditional", "korean", "japanese",
    "spanish", "french", "italian", "czech", "portuguese",
)
LATIN_LANGUAGES: frozenset[str] = frozenset({"english", "spanish", "french", "italian", "czech", "portuguese"})
HAN_LANGUAGES: frozenset[str] = frozenset({"chinese_simplified", "chinese_traditional"})
MNEMONIC_LENGTHS: tuple[int, ...] = (12, 15, 18, 21, 24)


def norm(word: str) -> str:
    """The form every comparison uses: NFKC, lower case (``'ＡＢＡＮＤＯＮ'`` → ``'abandon'``)."""
    if word.isascii():
        return word.lower()
    return unicodedata.normalize("NFKC", word).lower()


def strip_accents(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@dataclass(frozen=True, slots=True)
class WordLists:
    words: dict[str, tuple[str, ...]]  # language -> the 2048 words in list order, as shipped
    index: dict[str, dict[str, int]]  # language -> norm(word) (and accent-free alias) -> index
    lookup: dict[str, dict[str, int]]  # norm(word) -> {language: index} (shared: do not modify)
    prefix4: dict[str, dict[str, int]]  # Latin language -> unique 4-letter prefix -> index
    japanese_lengths: tuple[int, ...]  # word lengths (in NFKC characters) of the Japanese list
    missing: tuple[str, ...]


def _read_bip_utils(language: str) -> tuple[str, ...]:
    path = importlib.resources.files("bip_utils.bip.bip39") / "wordlist" / f"{language}.txt"
    return tuple(path.read_text(encoding="utf-8").split())


def _read_trezor(language: str) -> tuple[str, ...] | None:
    try:
        path = importlib.resources.files("mnemonic") / "wordlist" / f"{language}.txt"
        words = tuple(path.read_text(encoding="utf-8").split())
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None
    return words if len(words) == 2048 else None


@functools.cache
def word_lists() -> WordLists:
    """Load and index every list once per process (about 30 ms)."""
    words: dict[str, tuple[str, ...]] = {}
    missing: list[str] = []
    for language in LANGUAGES:
        listed = _read_trezor(language) if language == "japanese" else _read_bip_utils(language)
        if listed is None:
            missing.append(language)
            continue
        assert len(listed) == 2048, language
        words[language] = listed

    index: dict[str, dict[str, int]] = {}
    prefix4: dict[str, dict[str, int]] = {}
    for language, listed in words.items():
        forms = {norm(w): i for i, w in enumerate(listed)}
        if language in LATIN_LANGUAGES:
            aliases: dict[str, list[int]] = {}
            for form, i in forms.items():
                bare = strip_accents(form)
                if bare != form:
                    aliases.setdefault(bare, []).append(i)
            for bare, found in aliases.items():
                if len(found) == 1 and bare not in forms:
                    forms[bare] = found[0]
            starts: dict[str, list[int]] = {}
            for i, w in enumerate(listed):
                starts.setdefault(strip_accents(norm(w))[:4], []).append(i)
            prefix4[language] = {p: found[0] for p, found in starts.items() if len(found) == 1}
        index[language] = forms

    lookup: dict[str, dict[str, int]] = {}
    for language, forms in index.items():
        for form, i in forms.items():
            lookup.setdefault(form, {})[language] = i

    japanese = index.get("japanese", {})
    return WordLists(
        words=words,
        index=index,
        lookup=lookup,
        prefix4=prefix4,
        japanese_lengths=tuple(sorted({len(w) for w in japanese})),
        missing=tuple(missing),
    )


@functools.cache
def _validator():  # bip-utils import is slow-ish; only pay it when a candidate shows up
    from bip_utils import Bip39Languages, Bip39MnemonicValidator

    return Bip39MnemonicValidator(Bip39Languages.ENGLISH)


def checksum_ok(indices: list[int] | tuple[int, ...]) -> bool:
    """True when ``indices`` (word positions in any list) form a BIP39 mnemonic with a valid checksum.

    BIP39: the words are 11-bit numbers; concatenated, they are ``ENT`` bits of entropy
    followed by ``CS = ENT / 32`` checksum bits (``n`` words: ``CS = n / 3``), and the checksum
    is the first ``CS`` bits of ``SHA-256(entropy)``.
    """
    n = len(indices)
    if n not in MNEMONIC_LENGTHS:
        return False
    bits = 0
    for i in indices:
        if not 0 <= i < 2048:  # not a word position: no mnemonic (bip-utils rejects the word)
            return False
        bits = bits << 11 | i
    checksum_bits = n // 3
    entropy = (bits >> checksum_bits).to_bytes(checksum_bits * 4, "big")  # ENT / 8 = 32 * CS / 8 bytes
    return hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits) == bits & ((1 << checksum_bits) - 1)


def checksum_ok_bip_utils(indices: list[int] | tuple[int, ...]) -> bool:
    """``checksum_ok`` computed by bip-utils' own validator (the words spelt in English): the
    reference the fast path is tested against."""
    if len(indices) not in MNEMONIC_LENGTHS:
        return False
    english = word_lists().words["english"]
    return _validator().IsValid(" ".join(english[i] for i in indices))


def mnemonic_words(language: str, entropy: bytes) -> list[str]:
    """The mnemonic for ``entropy`` (16–32 bytes) in ``language``, checksum computed by bip-utils.

    Used by the test corpus generator and property tests::

        >>> mnemonic_words("english", bytes(16))[-1]
        'about'
    """
    from bip_utils import Bip39Languages, Bip39MnemonicEncoder

    english = Bip39MnemonicEncoder(Bip39Languages.ENGLISH).Encode(entropy).ToList()
    position = {w: i for i, w in enumerate(word_lists().words["english"])}
    return [word_lists().words[language][position[w]] for w in english]


# Chinese prose is made of the same 2,048 most common characters as the Chinese word lists, so an
# unspaced run of Chinese characters needs more than a checksum (1 in 16 for 12 words) before it
# is called a seed phrase. Two signals tell prose from random characters: prose uses the very
# common characters (the list is in frequency order, so low indices) and forms real words.
# These are common two-character words (simplified and traditional, general and support-mail
# vocabulary); a random mnemonic contains two of them with probability < 1e-6.
COMMON_HAN_WORDS = frozenset("""
我们 你们 他们 她们 咱们 什么 怎么 为什么 没有 可以 已经 因为 所以 但是 如果 这个 那个 一个 这样 那样
时候 现在 今天 昨天 明天 前天 上午 下午 晚上 早上 问题 账户 帐户 账号 帐号 充值 提现 提币 充币 到账
转账 交易 钱包 地址 平台 客服 处理 请问 谢谢 感谢 您好 你好 帮助 帮忙 尽快 希望 需要 知道 发现 还是
就是 不是 自己 的话 一下 一直 一样 还有 只有 或者 然后 之后 之前 以后 以前 工作 时间 公司 国家 中国
人民 社会 经济 发展 生产 管理 系统 服务 信息 技术 市场 企业 政府 世界 国际 情况 进行 活动 关系 方面
部分 成为 表示 主要 重要 提高 能力 全部 一定 不能 不会 应该 必须 非常 特别 比较 其他 其中 这些 那些
所有 任何 通过 根据 关于 对于 由于 作为 开始 结束 继续 认为 觉得 告诉 联系 回复 邮件 电话 手机 验证
认证 身份 登录 密码 安全 冻结 解冻 资金 余额 资产 数字 货币 合约 网络 区块 金额 数量 订单 委托 买入
卖出 成交 撤单 手续 费用 审核 实名 上传 照片 证件 护照 失败 成功 错误 显示 页面 操作 设置 修改 绑定
申请 提交 等待 收到 发送 退回 退款 损失 被盗 诈骗 风险 客户 用户 朋友 老师 学生 学习 生活 文化 历史
教育 科学 研究 产品 价格 成本 质量 标准 规定 要求 条件 结果 原因 目的 方法 方式 过程 影响 作用 意见
建议 决定 准备 计划 组织 领导 代表 会议 报告 文件 资料 内容 地方 时期 全国 美国 日本 北京 上海 香港
台湾 地区 城市 农村 环境 条件 国内 国外 出现 发生 存在 使用 利用 采用 实现 完成 参加 参与 提供 保持
保护 保证 增加 减少 降低 扩大 加强 改革 改变 变化 选择 考虑 了解 理解 相信 记得 忘记 喜欢 孩子 家庭
父母 医院 身体 健康 电脑 视频 图片 音乐 新闻 网站 软件 硬件 设备 数据 中心 人员 公告 活动 奖励 规则
我們 你們 他們 什麼 怎麼 為什麼 沒有 已經 因為 這個 那個 這樣 時候 現在 問題 帳戶 帳號 提現 到帳 轉帳
錢包 地址 處理 請問 謝謝 幫助 幫忙 儘快 盡快 發現 還是 還有 以後 時間 公司 國家 中國 經濟 發展 生產
管理 系統 服務 資訊 信息 技術 市場 政府 世界 國際 情況 進行 活動 關係 方面 成為 表示 重要 提高 能力
應該 必須 非常 特別 比較 其他 這些 那些 所有 通過 根據 關於 對於 由於 作為 開始 結束 繼續 認為 覺得
告訴 聯繫 聯絡 回覆 郵件 電話 手機 驗證 認證 身份 登錄 登入 密碼 安全 凍結 資金 餘額 資產 數字 貨幣
網絡 網路 區塊 金額 數量 訂單 委託 買入 賣出 成交 手續 費用 審核 實名 上傳 照片 證件 護照 失敗 成功
錯誤 顯示 頁面 操作 設置 設定 修改 綁定 申請 提交 等待 收到 發送 退回 退款 損失 被盜 詐騙 風險 客戶
用戶 朋友 學習 生活 文化 歷史 教育 科學 研究 產品 價格 質量 標準 規定 要求 條件 結果 原因 目的 方法
方式 過程 影響 作用 意見 建議 決定 準備 計劃 組織 領導 代表 會議 報告 文件 資料 內容 地方 時期 臺灣
台灣 地區 城市 環境 國內 國外 出現 發生 存在 使用 實現 完成 參加 提供 保持 保護 保證 增加 減少 降低
改變 變化 選擇 考慮 了解 瞭解 理解 相信 記得 忘記 喜歡 孩子 家庭 醫院 身體 健康 電腦 視頻 影片 圖片
音樂 新聞 網站 軟體 軟件 硬體 設備 數據 資料 中心 人員 公告 獎勵 規則
""".split())
