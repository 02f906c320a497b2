"""How a Chinese message or comment feels: the Chinese counterpart of the English lexicon.

Chinese has no spaces, so words are found by forward maximum matching against the word list
itself (sentiment words, negators, degree words and the neutral words that merely contain a
sentiment character: 快递 is not 快, 一般几天 is not 一般). No segmenter or model is needed,
and every score can be explained word by word. The rules:

- negation (不/没/没有/别/未/无/并不 ... up to three tokens before a word) flips it, softened:
  不太好 is mildly negative, 没有色差 mildly positive;
- degree words (太/很/非常/超/有点 ...) before a word scale it, unless a negator sits between;
- contrast (但是/不过/可是/然而/却): what follows weighs more than what precedes, as Chinese
  reviews put the verdict after the turn ("外观很好看，但是用了两天就坏了" is negative);
- a question (吗/？/能不能/请问) dampens its clause's words: asking about a feature is not
  praising it;
- shop phrases (差评/好评, 再也不买了, 还没发货, 等了十天, 没人理, 性价比高 ...), emoji and
  internet slang (绝绝子, yyds, 踩雷, 无语), a positive word in quotes (sarcasm: 真是太“好”了);
- ！！/？？ runs amplify whatever the message says (alone they lean negative), as in English.

``bot.insights.sentiment.score_text`` picks this model for a message in Chinese script.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.insights.sentiment import Sentiment, to_sentiment
from bot.texts.detect import ZH, detect_language

POSITIVE_ZH: dict[str, float] = {
    # praise and satisfaction
    "好": 1.0, "很好": 1.3, "不错": 1.5, "挺好": 1.3, "好看": 1.2, "好用": 1.2, "好穿": 1.2,
    "好评": 2.0, "五星": 1.5, "满意": 1.5, "喜欢": 1.3, "爱了": 1.5, "棒": 1.5, "赞": 1.2,
    "点赞": 1.5, "给力": 1.5, "完美": 1.8, "漂亮": 1.2, "精致": 1.2, "精细": 1.0,
    "舒服": 1.2, "舒适": 1.2, "合身": 1.0, "刚刚好": 1.0, "方便": 0.8, "耐心": 1.0,
    "专业": 0.8, "值得": 1.2, "值了": 1.5, "划算": 1.2, "实惠": 1.2, "物美价廉": 1.8,
    "惊喜": 1.5, "开心": 1.3, "高兴": 1.3, "正品": 0.6, "推荐": 0.6, "推荐给": 1.2,
    "谢谢": 1.0, "感谢": 1.2, "多谢": 1.0, "辛苦了": 1.0, "靠谱": 1.5, "顺利": 1.0,
    "稳定": 0.6, "百搭": 1.0, "显瘦": 1.0, "耐用": 1.2, "结实": 1.0, "严实": 0.8,
    "用心": 1.2, "贴心": 1.2, "热情": 1.0, "及时": 0.8, "快": 0.8, "轻": 0.5, "便宜": 0.6,
    "正": 0.6, "一致": 0.6, "解决了": 1.2, "没毛病": 1.5, "没问题": 0.5, "回购": 1.5,
    "无限回购": 2.0, "还会再买": 2.0, "会回购": 1.8, "下次还来": 1.8, "老顾客": 0.6,
    "一如既往": 0.8, "支持": 0.6, "有问必答": 1.5, "标准": 0.5, "清晰": 0.8, "保暖": 0.8,
    "防水": 0.3, "好吃": 1.2, "香": 0.5, "美": 1.0, "帅": 1.0, "酷": 1.0, "优秀": 1.5,
    "出色": 1.5, "满分": 1.8, "超值": 1.8, "神器": 1.5, "宝藏": 1.5,
    # internet slang
    "绝绝子": 2.0, "yyds": 2.0, "闭眼入": 2.0, "真香": 2.0, "种草": 1.0, "好评如潮": 2.0,
    "哈哈": 0.5, "nice": 1.0, "666": 1.5, "牛": 1.2, "牛逼": 1.5, "太值": 1.5,
    # emoji and emoticons
    "😊": 1.0, "😄": 1.0, "😁": 1.0, "😍": 1.5, "🥰": 1.5, "❤️": 1.2, "❤": 1.2, "👍": 1.5,
    "💯": 1.5, "🎉": 1.0, "👏": 1.2, "😘": 1.0, "🌹": 0.8, "[赞]": 1.2, "[爱心]": 1.2,
    "[微笑]": 0.3, "^_^": 1.0, ":)": 1.0,
}  # fmt: skip

NEGATIVE_ZH: dict[str, float] = {
    # quality and product faults
    "差": 1.5, "太差": 2.0, "差劲": 2.0, "差评": 2.5, "中评": 0.5, "色差": 1.2, "一般": 0.8,
    "垃圾": 2.0, "破": 0.8, "破损": 1.5, "坏": 1.5, "坏了": 1.5, "坏点": 1.5, "碎了": 1.5,
    "烂": 1.5, "裂": 1.5, "开胶": 1.5, "开线": 1.5, "掉色": 1.5, "起球": 1.2, "漏水": 1.5,
    "湿透": 1.0, "磨脚": 1.2, "刺鼻": 1.5, "异味": 1.2, "臭": 1.2, "脏": 1.2, "划痕": 1.2,
    "瑕疵": 1.2, "粗糙": 1.5, "缩水": 1.2, "偏小": 0.8, "偏大": 0.8, "卡顿": 1.2,
    "死机": 1.5, "失灵": 1.5, "故障": 1.5, "没声音": 1.5, "充不进": 1.5, "穿不上": 1.2,
    "没法": 1.0, "没用": 1.5, "不能用": 1.5, "二手": 1.2, "使用痕迹": 1.5, "假货": 2.0,
    "不符": 1.5, "不值": 1.5, "贵": 0.8, "慢": 1.0, "拖": 1.0, "智商税": 2.0, "韭菜": 2.0,
    "不好": 1.2, "不行": 1.2, "不满": 1.5, "不满意": 1.5, "不靠谱": 1.8, "不舒服": 1.2,
    "不合适": 0.5, "凑合": 0.3,
    # service and delivery
    "失望": 1.5, "恶劣": 2.0, "糟糕": 1.8, "骗": 2.0, "骗子": 2.5, "虚假宣传": 2.0,
    "投诉": 1.5, "漏发": 1.5, "少发": 1.5, "发错": 1.5, "错": 0.8, "不回": 1.5, "不理": 1.5,
    "没人理": 2.0, "没人管": 2.0, "扔": 0.8, "丢": 1.0, "丢件": 1.5, "急着用": 0.5,
    "麻烦": 0.5, "后悔": 1.5, "心寒": 1.8, "寒心": 1.8, "态度差": 2.0,
    # exasperation and slang
    "无语": 1.5, "服了": 1.5, "醉了": 1.5, "心累": 1.5, "气死": 2.0, "生气": 1.5,
    "坑": 1.5, "坑爹": 2.0, "踩雷": 2.0, "避雷": 1.5, "翻车": 1.8, "呵呵": 1.0, "吐了": 1.0,
    "离谱": 1.8, "可恶": 2.0, "恶心": 2.0, "傻": 1.5, "烦": 1.2, "崩溃": 1.8, "受不了": 1.8,
    "妈的": 2.0, "他妈": 2.0, "tmd": 2.0, "卧槽": 1.5, "尼玛": 2.0, "傻逼": 2.5, "狗屎": 2.5,
    # emoji and emoticons
    "😡": 2.0, "😠": 2.0, "😤": 1.5, "👎": 1.5, "💔": 1.5, "😭": 1.2, "😢": 1.2, "😞": 1.2,
    "🙄": 1.2, "😒": 1.2, "🤬": 2.0, "😩": 1.2, "[怒]": 1.5, "[衰]": 1.0, ":(": 1.0,
}  # fmt: skip


# Words that contain a sentiment character but carry no sentiment: longest match reads them
# whole, so their characters are never scored.
def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


NEUTRAL_ZH: frozenset[str] = _words(
    "快递 快点 尽快 快要 加快 好的 你好 您好 好吗 好不好 好多 好几 好像 好友 好处 最好 只好 "
    "好了吗 差价 差不多 出差 误差 一般几 一般多 一般是 一般会 一般都 一般情况 问题 请问 "
    "麻烦帮 麻烦您 麻烦你 正在 正常 真正 正好 修正 不客气 没关系 轻松 防水吗 还行 "
    "不知道 好久不见 以便 方便的话 破费 错过 没错 不错过 不同 不一样 不用 不要 "
    "轻薄 好奇 想象中 想象的 预期的 描述的 图片上"
)

NEGATORS_ZH: dict[str, float] = {
    # negator -> how strongly it flips (一点也不 is emphatic)
    "不": 1.0, "没": 1.0, "没有": 1.0, "别": 1.0, "未": 1.0, "无": 1.0, "不是": 1.0,
    "并不": 1.0, "并没有": 1.0, "毫不": 1.2, "从不": 1.2, "从没": 1.2, "从来没": 1.2,
    "一点也不": 1.5, "一点都不": 1.5, "根本不": 1.5, "根本没": 1.5, "不太": 0.7,
    "不怎么": 0.8, "不算": 0.8,
}  # fmt: skip

DEGREE_ZH: dict[str, float] = {
    "太": 1.5, "很": 1.3, "非常": 1.6, "特别": 1.5, "超": 1.5, "超级": 1.6, "真": 1.3,
    "真的": 1.3, "真是": 1.3, "十分": 1.5, "极": 1.8, "极其": 1.8, "最": 1.5, "相当": 1.4,
    "挺": 1.2, "蛮": 1.2, "巨": 1.6, "贼": 1.5, "好好": 1.2, "这么": 1.3, "那么": 1.2,
    "实在": 1.4, "简直": 1.5, "根本": 1.5, "完全": 1.4, "有点": 0.6, "有些": 0.7,
    "稍微": 0.6, "略": 0.6, "比较": 0.9, "还算": 0.7, "更": 1.2, "越来越": 1.3,
}  # fmt: skip

CONTRAST_ZH = ("但是", "但", "不过", "可是", "然而", "只是", "却")
_BEFORE_CONTRAST, _AFTER_CONTRAST = 0.6, 1.4
_QUESTION_DAMPING = 0.3

# Shop phrases, matched per clause (contrast still weighs them): pattern, weight.
PHRASES_ZH: list[tuple[re.Pattern[str], float]] = [
    (re.compile(p), w)
    for p, w in [
        (r"再也不(会)?(买|来|用|光顾)", -3.0),
        (r"不会再(买|来|光顾)", -2.5),
        (r"(还会|会|必须|一定)再?(回购|再买|再来|光顾)", 2.0),
        (r"还(是)?没(有)?(到|发|收到|退|回复|处理|解决|到账|发货|人)", -0.8),
        (r"怎么还(没|不|是)", -1.5),
        (r"等了.{0,4}(天|周|星期|个月|久)", -1.2),
        (r"(都|已经).{0,3}(天|周|个星期|个月)了", -1.0),
        (r"到底", -1.0),
        (r"(多少|几)(次|遍)了?", -1.0),
        (r"(问|说|催|找)了.{0,3}(次|遍|天)", -1.2),
        (r"没人(理|管|回|处理)", -1.5),
        (r"性价比.{0,2}(高|好|不错)", 1.5),
        (r"性价比.{0,2}(低|差|不高)", -1.5),
        (r"(质量|做工|服务|态度|物流|客服).{0,2}(问题|一般|差)", -1.0),
        (r"跟(描述|图片|介绍)(不|完全不)", -1.0),
        (r"根本没(收到|法|用)", -1.5),
        (r"(别|不要)再(让|叫)?", -0.8),
        (r"后悔没(早点)?", 3.0),  # "regret not buying sooner" is praise
        (r"比(想象|预期)(中)?的?(好|强)", 1.5),
        (r"(扣|收|付)(款|费|钱)?了?两次", -2.0),
        (r"把人当", -1.5),
    ]
]
_QUOTED = re.compile(r"[“\"'‘「『]([^”\"'’」』]{1,4})[”\"'’」』]")
_CLAUSE = re.compile(r"[，,。.;；:：!！?？~～…\n]+")
_QUESTION = re.compile(r"(吗|呢|么|嘛)\s*$|能不能|可不可以|是不是|有没有|是否|请问|怎么|什么|哪")
_EMPHASIS = re.compile(r"[!！]{2,}|[?？]{2,}|[?？][!！]|[!！][?？]")
_VOCAB: dict[str, str] = {
    **dict.fromkeys(NEUTRAL_ZH, "neutral"),
    **dict.fromkeys(DEGREE_ZH, "degree"),
    **dict.fromkeys(NEGATORS_ZH, "negator"),
    **dict.fromkeys(NEGATIVE_ZH, "word"),
    **dict.fromkeys(POSITIVE_ZH, "word"),
    **dict.fromkeys(CONTRAST_ZH, "contrast"),
}
_MAX_WORD = max(len(w) for w in _VOCAB)


def segment(text: str) -> list[str]:
    """Forward maximum matching against the word list; other characters stand alone."""
    tokens: list[str] = []
    i = 0
    while i < len(text):
        for size in range(min(_MAX_WORD, len(text) - i), 0, -1):
            piece = text[i : i + size]
            if size == 1 or piece in _VOCAB:
                tokens.append(piece)
                i += size
                break
    return tokens


def _word_weight(token: str) -> float:
    return POSITIVE_ZH.get(token, 0.0) - NEGATIVE_ZH.get(token, 0.0)


def _clause_score(tokens: list[str]) -> float:
    total = 0.0
    for i, token in enumerate(tokens):
        weight = _word_weight(token)
        if not weight:
            continue
        window = [t for t in tokens[max(0, i - 3) : i] if t.strip()]
        negator_at = max((j for j, t in enumerate(window) if t in NEGATORS_ZH), default=-1)
        if negator_at >= 0:
            # 不满意 is its own word; 不太舒服 is mild, 一点也不好用 strong.
            strength = NEGATORS_ZH[window[negator_at]]
            weight = -weight * (0.8 if weight > 0 else 0.5) * strength
            degrees = window[:negator_at]
        else:
            degrees = window
        for word in degrees[-2:]:
            weight *= DEGREE_ZH.get(word, 1.0)
        total += weight
    return total


def raw_zh(text: str) -> float:
    """The unbounded score of a Chinese message (negative below zero)."""
    lowered = (text or "").lower()
    total = 0.0
    after_contrast = False
    clauses = [c for c in _CLAUSE.split(lowered) if c.strip()]
    scored: list[tuple[float, bool]] = []
    for clause in clauses:
        tokens = segment(clause)
        parts: list[list[str]] = [[]]
        turns: list[bool] = [after_contrast]
        for token in tokens:
            if token in CONTRAST_ZH:
                after_contrast = True
                parts.append([])
                turns.append(True)
            else:
                parts[-1].append(token)
        question = bool(_QUESTION.search(clause))
        for part, turned in zip(parts, turns, strict=True):
            words = _clause_score(part) * (_QUESTION_DAMPING if question else 1.0)
            joined = "".join(part)
            phrases = sum(w for pattern, w in PHRASES_ZH if pattern.search(joined))
            scored.append((words + phrases, turned))
    if after_contrast:
        total = sum(s * (_AFTER_CONTRAST if turned else _BEFORE_CONTRAST) for s, turned in scored)
    else:
        total = sum(s for s, _ in scored)
    for quoted in _QUOTED.findall(lowered):
        inner = _clause_score(segment(quoted))
        if inner > 0:
            total -= 2.5 * inner  # 真是太“好”了: praise in quotes is sarcasm
    if _EMPHASIS.search(text or ""):
        total = total * 1.3 if total else -0.5
    return total


class ChineseLexiconSentiment:
    """Word list + rules for Chinese; same scale and labels as :class:`LexiconSentiment`."""

    name = "lexicon-zh"

    def __init__(self, neutral_band: float = 0.2) -> None:
        self.neutral_band = neutral_band

    def raw(self, text: str) -> float:
        return raw_zh(text)

    def score(self, text: str) -> Sentiment:
        return to_sentiment(self.raw(text or ""), self.neutral_band)


_INSISTING = re.compile(
    r"[!！]{2,}|[?？]{2,}|[?？][!！]|[!！][?？]|到底|究竟|(多少|几)(次|遍)|还(是)?没|怎么还|催了"
)
_DEMANDS = re.compile(r"人工|真人|转人工|活人|投诉|12315|举报")


def insists(text: str) -> bool:
    """A Chinese turn that presses (！！, 到底, 多少次, 还没, 怎么还, 催了): what ALL CAPS is in
    English, which Chinese script cannot do."""
    return detect_language(text) == ZH and bool(_INSISTING.search(text or ""))


def demands_person(text: str) -> bool:
    """A Chinese turn asking for a person or threatening a complaint (人工, 投诉, 12315)."""
    return bool(_DEMANDS.search(text or ""))


SWEAR_ZH = ("妈的", "他妈", "特么", "tmd", "卧槽", "我靠", "傻逼", "傻b", "尼玛", "狗屎", "滚蛋")


def swear_count_zh(text: str) -> int:
    lowered = (text or "").lower()
    return sum(lowered.count(word) for word in SWEAR_ZH)


@lru_cache(maxsize=1)
def default_zh_model() -> ChineseLexiconSentiment:
    return ChineseLexiconSentiment()
