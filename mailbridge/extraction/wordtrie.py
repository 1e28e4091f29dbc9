"""One regular expression for hundreds of keywords.

Python's ``re`` tries alternatives one after the other at every position, so
``a|b|c|…`` with 500 keywords is slow. Folding the keywords into a prefix tree
(``deposit|depot`` → ``depo(?:sit|t)``) lets the engine reject a position after a character
or two, which keeps category and label matching within the speed budget.
"""

from __future__ import annotations

import re
from typing import Iterable

# A space inside a keyword matches any run of spaces, "_" or "-" ("user id", "user_id", "userid"
# is listed on its own).
SPACE = r"[\s_\-]*"


def trie_pattern(words: Iterable[str], not_after: str = "") -> str:
    """A regex source matching exactly the given words (longest first at each branch).

    ``not_after`` (a character-class body such as ``"a-z0-9"``) makes ASCII words match only
    at a word start. The test sits after each word's first character (``e(?<![a-z0-9]e)…``),
    not in front of the whole pattern: a pattern that starts with plain characters lets the
    regex engine skip quickly to where a word can begin, one that starts with a lookbehind
    does not.
    """
    trie: dict[str, dict] = {}
    for word in words:
        if not word:
            continue
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(trie, not_after) or "(?!)"


def _emit(node: dict[str, dict], not_after: str = "") -> str:
    branches = []
    optional = "" in node
    for ch in sorted(k for k in node if k):
        atom = SPACE if ch == " " else re.escape(ch)
        if not_after and ch.isascii() and ch.isalnum():
            atom += f"(?<![{not_after}]{re.escape(ch)})"
        branches.append(atom + _emit(node[ch]))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if optional:
        return "(?:" + body + ")?"
    return body
