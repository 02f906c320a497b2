"""Chinese text cut into index terms: single characters and overlapping character pairs.

Why not words: neither SQLite FTS5 nor PostgreSQL splits Chinese into words, and a word
segmenter (jieba) is a dependency whose dictionary misses shop words ("冲锋衣", "充电宝") as
often as it finds them. Character pairs are the classic dictionary-free index for Chinese
retrieval: "越野跑鞋" -> 越野 野跑 跑鞋, so a query "跑鞋" or "越野" matches, and BM25's idf
keeps rare pairs ("冲锋") worth more than common ones ("防水"). Single characters are indexed
too, so a one-character query word ("包", "锅") still finds something.
"""

from __future__ import annotations

import re

# CJK Unified Ideographs, extension A and compatibility ideographs (as bot/texts/detect.py).
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# Function characters that carry no product meaning as one-character terms.
_STOP_CHARS = frozenset("的了和与及或是在有没我你他她它们吗呢吧啊么个把给想要请能可会就也都还很")
_STOP_PAIRS = frozenset(
    [
        "我想",
        "想要",
        "我要",
        "有没",
        "没有",
        "有什",
        "什么",
        "一个",
        "一下",
        "请问",
        "可以",
        "能不",
        "不能",
        "你们",
        "我们",
        "推荐",
        "一款",
        "一些",
        "有吗",
        "的吗",
        "的东",
        "东西",
        "适合",
        "用的",
        "穿的",
    ]
)


def has_chinese(text: str | None) -> bool:
    return bool(text) and _HAN_RUN.search(text or "") is not None


def chinese_pairs(text: str | None) -> list[str]:
    """A query's Chinese terms: the character pairs of each Han run split at function
    characters (a lone character as itself), de-duplicated, without filler pairs."""
    terms: list[str] = []
    runs = [
        piece
        for run in _HAN_RUN.findall(text or "")
        for piece in re.split(f"[{''.join(sorted(_STOP_CHARS))}]+", run)
        if piece
    ]
    for run in runs:
        if len(run) == 1:
            found = [] if run in _STOP_CHARS else [run]
        else:
            found = [run[i : i + 2] for i in range(len(run) - 1)]
        for term in found:
            if term not in terms and term not in _STOP_PAIRS:
                terms.append(term)
    return terms[:48]


def index_text(*texts: str | None) -> str:
    """What the Chinese index stores for a document: its characters and character pairs,
    space-separated (both FTS5's unicode61 and PostgreSQL's ``simple`` split on spaces)."""
    terms: list[str] = []
    for text in texts:
        for run in _HAN_RUN.findall(text or ""):
            terms.extend(run)
            terms.extend(run[i : i + 2] for i in range(len(run) - 1))
    return " ".join(terms)
