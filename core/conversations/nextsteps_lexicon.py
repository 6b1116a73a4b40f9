"""The words next-step detection reasons with (core.conversations.nextsteps, core.conversations.nextsteps_zh).

A commitment is made of words of a few kinds, in either language and in any order: who acts (our
side: I, we, our engineer, 我, 我们, 我们技术, 这边; or no one named: 明天发合同), a verb of delivery
or action (send, call, 发, 给到, 落实, and English verbs inside Chinese: 我们 Friday 前 update 一下),
and a date (core.language.dates). What undoes one: a negation, a cancellation, a question or request, the
other side as the one who acts, a past action. docs/nextsteps.md lists them for people; this
module lists them for the rules. Each list is a regex alternative; longer words come first where
one word starts another.
"""

from __future__ import annotations

# ---- English ------------------------------------------------------------------------------------

# Verbs of delivery or action after a subject left out ("Will send …", "Sending …") or after "our
# engineer will". (After "I'll" / "we will" any verb but the states in EN_NOT_ACTION counts.)
EN_VERBS = (
    r"send|share|get|have|deliver|call|ring|phone|do|finish|sign|ship|come|visit|meet|prepare"
    r"|set\s+up|email|e-mail|forward|follow\s+up|confirm|update|book|schedule|arrange|drop|submit"
    r"|revert|circle\s+back|loop\s+back|loop\s+in|pay|transfer|check|review|provide|put\s+together|draft"
    r"|write|bring|issue|process|push|fix|finali[sz]e|sort|nail\s+down|lock\s+in|walk|run"
    r"|present|demo|reach\s+out|contact|join|dial\s+in|ping|shoot|chase|wrap\s+up|complete|close"
    r"|turn\s+around|raise|go\s+live|launch|deploy|install|test|sync|kick\s*off|train|swing\s+by"
    r"|stop\s+by|pop\s+by|reply|respond|answer|return|post|upload|make|take|give|handle|approve"
    r"|come\s+back|get\s+back|reach|double-check|look\s+into|release|provision|text|message|invoice"
    r"|jump|hop"
)
# The -ing forms that open a clause with the subject left out: "Sending it today", "on it,
# calling you tomorrow".
EN_ING_VERBS = (
    r"sending|sharing|calling|ringing|preparing|getting|delivering|finishing|submitting|meeting"
    r"|visiting|signing|shipping|emailing|coming|dropping|following\s+up|circling\s+back|booking"
    r"|scheduling|setting\s+up|working\s+on|paying|transferring|flying|reviewing|drafting"
    r"|pinging|pushing|issuing|processing|confirming|updating|forwarding|swinging\s+by"
    r"|popping\s+by|running|presenting|wrapping\s+up|finali[sz]ing|checking|chasing|raising"
)
# After "I'll" / "our team will": these are states or thoughts, not something done by a date.
EN_NOT_ACTION = (
    r"see\b(?!\s+you)|know\b|think\b|consider\b|need\b|want\b|require\b|wait\b|hear\b|end\b"
    r"|start\b|begin\b|expire\b|miss\b|lose\b|likely\b|probably\b|maybe\b|have\s+to\b|be\s+(?:out|away|off"
    r"|on\s+(?:leave|holiday|vacation|pto)|travel\w*|busy|unavailable|back|closed|offline|in\s+\w+"
    r"|stuck|tied\s+up|in\s+meetings|happy\s+to\s+hear)\b"
)
# Things that are sent or released: "invoice out tomorrow" promises, where "Kevin out tomorrow" is a
# state (a thing on its way "over" or "your way" may be any thing: "deck over tmrw").
EN_THINGS = (
    r"quotes?|quotations?|invoices?|decks?|slides|proposals?|contracts?|po|pos|sow|docs?|documents?|reports?"
    r"|drafts?|pricing|agreements?|nda|msa|updates?|release|build|patch|version|payments?|invites?"
    r"|invitations?|emails?|notes|minutes|summary|recap|agenda|samples?|units?|order|shipment|files?"
)
# What opens a chat reply before a commitment with its subject left out: "ok, will send it".
EN_OPENERS = (
    r"ok(?:ay)?|sure(?:\s+thing)?|great|thanks|thank\s+you|noted|got\s+it|no\s+problem"
    r"|no\s+worries|sounds\s+good|yep|yup|yes|yeah|kk?|def(?:o|initely)?|absolutely|cool|perfect"
    r"|will\s+do|on\s+it|roger|understood|of\s+course|np|thx|thanks|ty"
)
# Adverbs that may stand between "we can / we should" and the verb: "we can definitely get…"
# (not probably, maybe: those are EN_NOT_ACTION's hedges).
EN_ADVERBS = r"definitely|certainly|surely|easily|still|also|just|absolutely|totally|def"
# Moving a meeting: its clause commits to nothing alone ("the demo was moved to Friday", 会议改到
# 周五下午了), but a promise right after it without a date of its own goes with the new date
# ("moving it to Friday 3pm and I'll resend the invite", "Friday instead then, I'll update the
# invite", 改到周五下午吧，我再发个邀请).
MOVED = (
    r"(?=[mpsbriMPSBRI改挪调换推延顺])\b(?:mov(?:e|ed|ing)|push(?:ed|ing)?|shift(?:ed|ing)?|bump(?:ed|ing)?"
    r"|reschedul\w*)\b(?:\s+[\w']+){0,3}?\s+(?:to|for)\b|\binstead\b|改到|改成|挪到|调到|换到|推到|推迟到|延到|延期到|顺延到"
    # a slot preferred, with no move word: "Tuesday 10am works better", 明天下午更合适
    r"|\b(?:works?|suits?)\s+(?:(?:us|me)\s+)?better\b|\bworks\s+best\b|\bis\s+better\s+for\s+(?:us|me)\b"
    r"|更合适|更方便|比较合适|比较方便"
)
# Words that make a bare date a promise: "Monday for sure", "tomorrow at the latest".
EN_ASSURANCE = r"for\s+sure|at\s+the\s+latest|latest|guaranteed|without\s+fail|promise"

# ---- Chinese (and English verbs inside Chinese) ---------------------------------------------------

# Our side as the one who acts. 这边 alone is "our side" (方案这边下周二给到你们).
ZH_OURS = r"我们这边|我这边|我们|我方|我司|咱们|本人|这边|咱|我"
# The other side as the one who acts: 你们明天发 / 他们下周付款 / 客户说… / 张经理那边.
ZH_OTHERS = r"你们|贵司|贵方|贵公司|他们|她们|对方|客户|大家|各位|那边|你(?!好)|您(?!好)|他(?!人)|她"
# Before a person these make them the object, not the one who acts: 给您, 跟你们, 和客户.
ZH_OBJECT_MARKERS = r"给|跟|和|与|同|向|帮|替|找|约|陪|对|带|为|通知|告诉|联系|让"

# Verbs of delivery or action. A lookahead keeps out the nouns they start (发票 invoice, 出差
# a business trip, 回来 coming back, 报价单 the quote as a thing).
ZH_VERBS = (
    r"发(?![票布展现生言挥烧愁达型])|寄|送(?!给我)|给到|给(?!力)|交(?![流通易期])|提交|递交|出(?![差去门国来现发口租错色])"
    r"|回复|回(?![来家去国头事忆顾扣])|答复|反馈|确认(?![函单])|安排|准备|提供|约(?![束])|签|盖章|付(?!出)"
    r"|打款|转账|支付|上门|拜访|过去(?![了的])|过来|开(?:个|一个|个短)?会|演示|报价(?!单)|更新|同步|补(?![贴助])|联系"
    r"|打电话|回电|电话|沟通|对接|对一下|过一下|过一遍|碰(?![到见])|聊|上线|部署|完成|落实|搞定|处理"
    r"|跟进|整理|开通|开好|开票|开(?=[A-Za-z]|账号|权限|发票|通)|安装|调试|培训|汇报|核对|修改|改好"
    r"|评审|推进|敲定|确定|定下来|搭好|搭建|测试|验收|实施|交付|走流程|下单|送达|见面|考察|申请|催|(?:准时|按时)(?:参加|出席|参会)"
    r"|解决|修复|订好|预约|到(?=场|现场|您|你们|贵司|货)|准时到|按时到"
    # a verb and its result: 修好, 走完, 做完, 弄好, 改掉, 查清楚, 做出来, 谈定
    r"|[修做弄改写搞走跑办查调配装测审批谈理签填录](?:好(?![的吗了呀啊像])|完|掉|清楚|出来|定(?![期]))"
    r"|排查|检查|核实|核查|查(?=一下|清楚|完)|过(?=方案|合同|需求|报价|文档|细节|流程)|看(?=一下)|梳理|对齐|整改|优化|补齐|写(?![字])"
)
# English verbs written inside Chinese: 我们 Friday 前 update 一下 deck. Not after a word that
# makes them a thing: final quote, the invoice, our demo (我们老板周五要 final quote).
_EN_NOUN_BEFORE = ("final", "the", "a", "an", "new", "revised", "updated", "formal", "official", "signed",
                   "our", "your", "their", "this", "that", "my")
ZH_EN_VERBS = (
    r"(?<![A-Za-z])" + "".join(rf"(?<!\b{word}\s)(?<!\b{word.upper()}\s)(?<!\b{word.title()}\s)"
                               for word in _EN_NOUN_BEFORE) + r"(?i:send|share|update|follow\s*up|check|review|confirm|sync|call|ping|email"
    r"|deliver|finali[sz]e|fix|prepare|present|schedule|book|arrange|issue|sign|approve|submit"
    r"|ship|deploy|kick\s*off|demo|visit|meet(?:ing)?|revert|reply|close|test|launch|handle"
    r"|process|set\s*up|release|quote|invoice|onsite|reach\s+out|pay|wrap\s+up|go\s*live|align"
    r"|whitelist|finish|complete|draft|push|loop\s+in|walk\s+through|install|upgrade|migrate|train"
    r"|run|onboard|provision|activate|enable|configure|debug)(?![A-Za-z])"
)
# Any English word where Chinese puts the verb: right after our side or the time phrase (我们
# Friday 前 whitelist 你们的 IP, next Friday 之前我们 go live), or before a verb's complement
# (把 POC 环境 ready 好, bug fix 掉, sync 一下). Lowercase only (IT, PO, SOW are things), and not
# the small words that stand there as often as a verb.
ZH_EN_SLOT_AFTER = r"前|之前|以前|会|再|就|先|一定|肯定|尽快|来|去|争取|要|可以|能"
ZH_EN_COMPLEMENT = r"一下|一遍|完(?!成)|好(?![的吗了])|掉"
ZH_EN_NOT_VERB = (
    r"(?:in|at|on|to|for|the|a|an|is|am|are|be|was|with|and|or|all|full|whole|busy|off|out|ooo|pto"
    r"|team|guys|side|boss|it|this|that|ok|okay|yes|no|next|by|before|after|until|day|week"
    r"|holiday|vacation|leave|sick|offsite|wfh|away|travel\w*)(?![A-Za-z])"
)
# A clause that says no to doing something. 不 and 没 in their usual words only: 不错 (good),
# 不好意思 (sorry), 不过 (but), 没问题 (no problem) are not negations.
NEGATION = (
    r"(?<![A-Za-z])(?=[wcunmiapdWCUNMIAPD])(?:won't|wont|will\s+not|can't|cant|cannot|can\s+not|couldn't|unable|not\s+(?:be\s+)?able"
    r"|not\s+going\s+to|isn't\s+going|aren't\s+going|no\s+longer|not\s+sure|might\s+not|may\s+not"
    r"|probably\s+not|never|don't\s+think|doubt|not)(?![A-Za-z])"
    r"|不(?!错|好意思|客气|过|少|仅|但|管|断|久)|没(?!问题|关系|事)|未|无法|恐怕|(?<![特区分级告类识个差性])别(?![的人家])"
)
# Called off or moved: not a commitment (even with a date: "let's skip Tuesday's call").
# The English words stand anywhere, also inside Chinese (Friday的demo我们要postpone一下, sync取消):
# bounded by letters, not by \b, which a Chinese character next to them defeats.
CANCEL = (
    r"(?<![A-Za-z])(?=[cdnoprs])(?:cancel\w*|skip|postpon\w*|push\w*\s+back|call\w*\s+(?:it\s+)?off"
    r"|reschedul\w*|(?<!the\s)(?<!a\s)(?<!for\s)(?<!any\s)(?<!no\s)(?<!without\s)(?<!further\s)delay(?:ed|ing|s)?"
    r"|no\s+need|not\s+needed|drop\s+\w+'s|on\s+hold)(?![A-Za-z])|hold\s*(?:住|一下|一?段)|先\s*hold"
    r"|取消|推迟|延期|改期|改到|改成|挪到|调到|换到|推到|改天|暂停|先不|不用|延后|顺延|往后推|待定"
)
# A new time to be found later, after a cancellation (明天的sync取消吧，下周再约; "let's cancel
# Friday and find another slot next week"): no date is promised.
REPLAN = (
    r"再约|另约|再定|再找时间|另找时间|(?i:\bfind\s+(?:a\s+)?(?:new|another|other)\s+(?:slot|time|date)\b)"
)
# Asking the other side to act: "please send", 麻烦…, 希望你们….
REQUEST = (
    r"\b(?:please|pls|plz|kindly)\b"
    # 请 alone, not inside 邀请 (invite), 申请 (apply), 请示 (ask one's own boss), 请假 (leave)
    r"|(?<![邀申聘宴])请(?![假教问客示])|欢迎|麻烦|劳烦|辛苦|希望|需要(?:你|您|贵)|要求|帮忙|帮我|能否|可否"
)
# Done already, or a state rather than an action.
PAST_OR_STATE = r"已经|已(?!读)|刚刚|刚才|全天|一整天|(?<![要还就])是(?!的)|才|(?i:\b(?:full|all|whole)[\s-]day\b)"
# An action judged, not promised: 今天沟通很顺利, 培训挺顺利的, 聊得很开心, 反响很热烈, 今天的 meeting
# 很 productive.
ZH_EVALUATION = (
    r"(?=[得效反都很挺非特十相蛮真太])(?:得\s*(?:很|挺|非常|特别|十分|相当|蛮|真|太|不错)"  # 聊得很开心
    # a degree word and any word but a manner or a wish of a promise (很快发, 很乐意过来, 非常感谢), a
# verb of the lexicon (特别安排, 非常认真地核对: the degree is the promise's) or an adverb in 地
    r"|(?:效果|反响|都)?\s*(?:很|挺|非常|特别|十分|相当|蛮|真|太)\s*"
    r"(?:[a-z]{3,}|(?![快早晚及认仔乐愿高荣期想希需抱感谢重])(?!(?:" + ZH_VERBS + r")|[\u4e00-\u9fff]{0,3}地)"
    r"[\u4e00-\u9fff]))"
)
# Our side wanting to receive something: 我们老板说 Friday 要看到 final quote, 我们财务下周一要拿到发票.
ZH_WANTS = r"(?:要|想|需要|必须|得|希望)\s*(?:看到|收到|拿到|见到|接到)"
# A Chinese clause that only says when something is: kickoff 定在下周二, budget review 在 next month
# (the time phrase, blanked out as ＿, ends the clause).
ZH_DATE_FACT = r"(?:定在|定于|安排在|在|是)\s*＿+\s*(?:之?前)?\s*[的了吧啊呢。.!！]*\s*$"
# A clause that takes back the one before it: 明天全天开会，没空.
UNAVAILABLE = r"^(?:没空|没时间|不方便|不太方便|不在|很忙|在忙)"
# Words that point back to a time named before: "I'll come by then", 到时候我给您打电话.
THEN = r"\bthen\b|\bat\s+that\s+(?:time|point)\b|到时候|到时|届时"
# Words that a clause holding only a date may carry: "…, by Friday at the latest" / 最晚周五前.
DATE_FILLERS = (
    r"\b(?:by|before|b4|on|at|the|latest|at\s+the\s+latest|no\s+later\s+than|for\s+sure|hopefully|ideally|or|so)\b"
    r"|最晚|最迟|之前|以前|前|吧|哈|啊|呀|的|左右|内"
)
