"""The verbs of the command language: their names in both languages, usage and help text."""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Verb:
    key: str
    zh: str
    aliases: tuple[str, ...]
    usage_en: str
    usage_zh: str
    summary_en: str
    summary_zh: str
    admin: bool = False

    def usage(self, lang: str) -> str:
        return self.usage_zh if lang == "zh" else self.usage_en

    def summary(self, lang: str) -> str:
        return self.summary_zh if lang == "zh" else self.summary_en

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.key


VERBS: tuple[Verb, ...] = (
    Verb("help", "帮助", ("?", "？", "h"), "help [verb]", "帮助 [命令]",
         "what I can do", "查看可用命令"),
    Verb("new", "新建", ("add", "create", "新增", "创建"),
         'new <customer> [amount] [stage:<stage>] [close:<date>] [owner:@user] [title:"…"]',
         '新建 <客户> [金额] [阶段:<阶段>] [成交:<日期>] [负责人:@用户] [标题:"…"]',
         "create a deal", "新建商机"),
    Verb("show", "查看", ("card", "详情"), "show D-12", "查看 D-12",
         "a deal's card", "查看商机卡片"),
    Verb("history", "历史", ("log-history", "操作日志"), "history D-12", "历史 D-12",
         "a deal's change history (managers)", "查看商机操作日志（主管）"),
    Verb("deals", "商机", ("list", "pipeline", "商机列表"),
         "deals [mine|team|all] [stage:<stage>] [stale]", "商机 [我的|团队|全部] [阶段:<阶段>] [停滞]",
         "list deals", "查看商机列表"),
    Verb("move", "推进", ("advance", "stage"), "move D-12 <stage|next>", "推进 D-12 <阶段|下一步>",
         "move a deal to a stage", "推进商机阶段"),
    Verb("check", "勾选", ("tick",), "check D-12 <deliverable number>", "勾选 D-12 <输出物序号>",
         "tick off a deliverable of the deal's stage", "勾选当前阶段的输出物"),
    Verb("won", "赢单", ("win", "成交"), "won D-12 [amount]", "赢单 D-12 [金额]",
         "mark a deal won", "标记赢单"),
    Verb("lost", "丢单", ("lose", "输单"), "lost D-12 <reason>", "丢单 D-12 <原因>",
         "mark a deal lost, with the reason", "标记丢单（需填写原因）"),
    Verb("log", "跟进", ("note", "followup", "记录跟进"),
         "log D-12 [call:|meeting:|email:] <what happened, next step and date>",
         "跟进 D-12 [电话:|会议:|邮件:] <跟进内容、下一步和日期>",
         "log a follow-up; a dated next step becomes a task", "记录跟进；带日期的下一步自动生成任务"),
    Verb("task", "任务", ("todo",), "task <what> [D-12] [@user] [due:<date>]",
         "任务 <内容> [D-12] [@用户] [截止:<日期>]",
         "add a task; a date in the text sets its due time", "新建任务；内容里的日期即截止时间"),
    Verb("tasks", "待办", ("任务列表",), "tasks [mine|overdue|team|D-12]", "待办 [我的|逾期|团队|D-12]",
         "list open tasks", "查看待办任务"),
    Verb("done", "完成", ("complete", "finish"), "done T-7", "完成 T-7",
         "complete a task", "完成任务"),
    Verb("me", "我", ("profile", "我的"),
         "me | me lang <en|zh> | me tz <Area/City> | me link [code]",
         "我 | 我 语言 <en|zh> | 我 时区 <Area/City> | 我 绑定 [验证码]",
         "your profile, language, time zone; link your accounts on other platforms",
         "查看或设置个人语言、时区；绑定其他平台的账号"),
    Verb("team", "团队", ("teams",), "team | team new <name> [tz:<Area/City>] [lang:<en|zh>]",
         "团队 | 团队 新建 <名称> [时区:<Area/City>] [语言:<en|zh>]",
         "list or create teams (admins)", "查看或新建团队（管理员）", admin=True),
    Verb("member", "成员", ("members",), "member | member @user [role:<rep|manager|admin>] [team:<name>]",
         "成员 | 成员 @用户 [角色:<销售|主管|管理员>] [团队:<名称>]",
         "list members or set one's role and team (admins)", "查看成员或设置角色、团队（管理员）",
         admin=True),
    Verb("snooze", "推迟", ("稍后提醒", "later"), "snooze D-12|T-7 [2d|4h|1w|<date>]",
         "推迟 D-12|T-7 [2天|4小时|1周|<日期>]",
         "hold back reminders about a deal or task (default 1 day)", "推迟商机或任务的提醒（默认 1 天）"),
    Verb("digest", "推送", ("订阅", "scorecards"), "digest [here weekly|daily] | digest off",
         "推送 [本群 每周|每日] | 推送 关闭",
         "send the team's scorecard to this chat (managers)", "向本群推送团队周报或日报（主管）"),
    Verb("link", "绑定", ("bind", "关联群"), "link D-12 | link customer:<name>",
         "绑定 D-12 | 绑定 客户:<名称>",
         "record this group chat into a deal's (or customer's) timeline", "将本群消息记录到商机（或客户）的跟进记录"),
    Verb("unlink", "解绑", ("unbind", "取消绑定"), "unlink", "解绑",
         "stop recording this group chat", "解绑本群，停止会话记录"),
    Verb("capture", "记录", ("recording", "会话记录"), "capture [on|off|status]", "记录 [开|关|状态]",
         "pause, resume or check recording of this group chat", "暂停、恢复或查看本群的会话记录"),
    Verb("keep", "保留", ("accept", "采纳"), "keep S-3", "保留 S-3",
         "keep a next step found in a linked chat as a task", "将绑定群里发现的下一步保留为任务"),
    Verb("dismiss", "忽略", ("ignore", "不用"), "dismiss S-3", "忽略 S-3",
         "dismiss a next step found in a linked chat", "忽略绑定群里发现的下一步"),
    Verb("forget", "忘记", ("erase", "删除个人数据"), "forget @person | forget contact:<platform>:<user id>",
         "忘记 @某人 | 忘记 contact:<平台>:<用户ID>",
         "erase a person's recorded chat messages and personal details (admins)",
         "删除某人的会话记录和个人信息（管理员）", admin=True),
    Verb("scorecard", "周报", ("scores", "销售健康度", "看板"), "scorecard [team] [week: last week|this week|2026-W10]",
         "周报 [团队] [周：上周|本周|2026-W10]",
         "the weekly scorecard: new, won, lost, win rate, cycle, funnel, per rep, stalled deals",
         "销售周报：新增、赢单、丢单、赢单率、成交周期、漏斗、人均产出、停滞商机"),
    Verb("funnel", "漏斗", ("销售漏斗", "conversion"), "funnel [team] [period: this quarter|上个月|Q3|2026-03]",
         "漏斗 [团队] [时段：本季度|上个月|Q3|2026-03]",
         "how far the deals created in a period got, stage by stage", "销售漏斗：某时段新建商机的各阶段转化率"),
    Verb("forecast", "预测", ("业绩预测", "projection"), "forecast [team] [period: this month|next month|本季度]",
         "预测 [团队] [时段：本月|下个月|本季度]",
         "expected wins of the open deals closing in a period, with each deal's win probability",
         "业绩预测：按赢单概率估算某时段预计成交金额"),
)

_BY_NAME: dict[str, Verb] = {}
for _verb in VERBS:
    for _name in (_verb.key, _verb.zh, *_verb.aliases):
        _BY_NAME[_name.casefold()] = _verb

# Chinese verbs may be typed without a space before the argument ("推进D-12 报价"): try the
# longest first so 记录跟进 wins over 跟进.
ZH_PREFIXES = sorted((n for n in _BY_NAME if not n.isascii()), key=len, reverse=True)


def find_verb(word: str) -> Verb | None:
    return _BY_NAME.get(word.casefold())


def suggest_verb(word: str) -> str | None:
    close = difflib.get_close_matches(word.casefold(), list(_BY_NAME), n=1, cutoff=0.6)
    return close[0] if close else None
