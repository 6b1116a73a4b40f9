"""The verbs of the command language, one declaration each: the names in both languages, the
usage and help text, the reader of the words after the verb (core.language.parser), the
commands it reads to (each says whether it writes and who may use it: core.language.commands)
and examples that read to each of those commands. `parse` is the way in: text to Command.

The handler of each command is bound in core.app.handlers (the language may not import the
use cases), which checks at import time that every command named here has exactly one.
Help (core.services.help), the Telegram command menu and README's command table are made from
VERBS; tests/unit/test_verbs.py holds every verb's examples to parsing and handling.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from core.language import commands as c
from core.language import parser
from core.language.approvals import read_approvals, read_approve, read_ask, read_reject
from core.language.customers import read_contact, read_contacts, read_customer, read_merge
from core.language.errors import ParseError
from core.language.health import (
    read_complaint,
    read_complaints,
    read_csat,
    read_health,
    read_quality,
    read_resolve,
)
from core.language.knowledge import (
    read_cases,
    read_faq,
    read_onboard,
    read_playbook,
    read_retro,
    read_summary,
)
from core.language.leads import read_claim, read_lead, read_pool
from core.language.notify import read_notify
from core.language.points import read_leaderboard, read_points, read_review


@dataclass(frozen=True)
class Verb:
    key: str
    zh: str
    aliases: tuple[str, ...]
    usage_en: str
    usage_zh: str
    summary_en: str
    summary_zh: str
    details_en: tuple[str, ...] = ()  # more lines for `help <verb>`
    details_zh: tuple[str, ...] = ()
    read: Callable[[parser.Args], c.Command] = field(kw_only=True)  # the words after the verb
    commands: tuple[type[c.Command], ...] = field(kw_only=True)  # what `read` returns
    examples: tuple[str, ...] = field(kw_only=True)  # at least one reading to each of `commands`

    def __post_init__(self) -> None:
        if not self.commands or not self.examples:
            raise ValueError(f"verb {self.key}: declare the commands it reads to and examples of each")

    def usage(self, lang: str) -> str:
        return self.usage_zh if lang == "zh" else self.usage_en

    def summary(self, lang: str) -> str:
        return self.summary_zh if lang == "zh" else self.summary_en

    def name(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.key

    def details(self, lang: str) -> tuple[str, ...]:
        return self.details_zh if lang == "zh" else self.details_en


_DATES_EN = ("Dates as you would say them, no quotes needed: next Friday, friday 3pm, in 3 days, "
             "end of quarter, 2027-01-01 14:30; a month alone (March) is the end of that month.")
_DATES_ZH = "日期照常说即可，无需引号：下周五、下周五下午3点、3天后、下月底、季度末；只写月份（3月）指该月月底。"


VERBS: tuple[Verb, ...] = (
    Verb("help", "帮助", ("?", "？", "h"), "help [verb]", "帮助 [命令]",
         "what I can do", "查看可用命令",
         read=parser.read_help, commands=(c.Help,),
         examples=("help", "help new", "帮助 推进")),
    Verb("new", "新建", ("add", "create", "新增", "创建"),
         'new <customer> [amount] [stage:<stage>] [close:<date>] [owner:@user] [title:"…"]',
         '新建 <客户> [金额] [阶段:<阶段>] [成交:<日期>] [负责人:@用户] [标题:"…"]',
         "create a deal", "新建商机",
         details_en=(
             "A customer's name may hold any printable characters (Yahoo!, E*TRADE, Café #1), at most 100.",
             'Quote a name whose words would read as an amount, an option or a user: new "Studio 54" 5k. '
             'A quote inside quotes is written twice, new """Quoted"" Name", or use 「」: new 「"Quoted" Name」.',
             "Amounts: 50000, 50k, 1.2m, 5万, ¥12,000, $3.5k, USD 5000, 5k EUR; a number alone is in the "
             "team's currency.",
             "close: " + _DATES_EN),
         details_zh=(
             "客户名称可包含任何可打印字符（如 Yahoo!、E*TRADE、Café #1），最多 100 个字符。",
             '名称中有会被当作金额、选项或用户的词时，请加引号：新建 "Studio 54" 5万。'
             '引号内的引号写两次：新建 """Quoted"" Name"，或用「」：新建 「"Quoted" Name」。',
             "金额：50000、50k、5万、1.2亿、¥12,000、$3.5k、USD 5000、5k EUR；只写数字时按团队的币种。",
             "成交: " + _DATES_ZH),
         read=parser.read_new, commands=(c.NewDeal,),
         examples=("new Acme 50k close:end of quarter", "新建 华为 5万 阶段:方案演示")),
    Verb("show", "查看", ("card", "详情"), "show D-12", "查看 D-12",
         "a deal's card", "查看商机卡片",
         read=parser.read_show, commands=(c.ShowDeal, c.ShowHistory),
         examples=("show D-1", "show D-1 history", "查看 D-1")),
    Verb("history", "历史", ("log-history", "操作日志"), "history D-12", "历史 D-12",
         "a deal's change history (managers)", "查看商机操作日志（主管）",
         read=parser.read_history, commands=(c.ShowHistory,),
         examples=("history D-1", "历史 D-1")),
    Verb("deals", "商机", ("list", "pipeline", "商机列表"),
         "deals [mine|team|all] [stage:<stage>] [stale] [won|lost [period]] [closing <period>] "
         "[owner:@user] [customer:<name>] [amount>100k] [sort:close|amount]",
         "商机 [我的|团队|全部] [阶段:<阶段>] [停滞] [赢单|丢单 [时段]] [预计成交 <时段>] "
         "[负责人:@用户] [客户:<名称>] [金额>10万] [排序:成交|金额]",
         "list deals, filtered and sorted, with the total and weighted total", "查看商机列表（可筛选、排序，附合计与加权合计）",
         details_en=("won/lost [period]: deals closed so in the period (last quarter, this month, 2026-03); "
                     "closing <period>: open deals expected to close then.",
                     "amount>100k (also >=, <, <=) compares in that amount's currency.",
                     "The foot gives the total and the total weighted by each stage's win probability."),
         details_zh=("赢单/丢单 [时段]：该时段内赢单或丢单的商机（上季度、本月、2026-03）；"
                     "预计成交 <时段>：预计在该时段成交的进行中商机。",
                     "金额>10万（也可用 >=、<、<=）按该金额的币种比较。",
                     "列表末尾给出合计，以及按各阶段赢单概率加权的合计。"),
         read=parser.read_deals, commands=(c.ListDeals,),
         examples=("deals", "deals mine stage:quote stale", "商机 全部", "deals closing this month sort:amount",
                   "deals won last quarter owner:@bob", "商机 丢单 金额>10万 客户:Acme")),
    Verb("move", "推进", ("advance", "stage"), "move D-12 <stage|next>", "推进 D-12 <阶段|下一步>",
         "move a deal to a stage", "推进商机阶段",
         read=parser.read_move, commands=(c.MoveDeal,),
         examples=("move D-1 quote", "推进 D-1 下一步")),
    Verb("edit", "修改", ("change", "update", "编辑"),
         'edit D-12 [amount:<amount>] [close:<date>] [title:"…"]',
         '修改 D-12 [金额:<金额>] [预计成交:<日期>] [标题:"…"]',
         "fix a deal's amount, expected close or title", "修改商机的金额、预计成交日期或标题",
         details_en=("Any of the three, in any order; the reply shows each old → new value. "
                     "When one part cannot be read, nothing changes.",
                     "close: " + _DATES_EN),
         details_zh=("三项可任选、顺序不限；回复列出每项的 旧值 → 新值。任何一项无法识别时，什么都不改。",
                     "预计成交: " + _DATES_ZH),
         read=parser.read_edit, commands=(c.EditDeal,),
         examples=('edit D-1 amount:60k close:next month title:"Phase 2"', "修改 D-1 金额:6万 预计成交:下月底",
                   "edit D-1")),
    Verb("assign", "转交", ("handover", "reassign", "移交"), "assign D-12 @user", "转交 D-12 @用户",
         "hand a deal over to a teammate, with its open tasks", "把商机（连同其未完成任务）转交给同事",
         details_en=("The owner or a manager hands the deal over; open tasks assigned to someone else stay "
                     "with them. The new owner gets the card in a direct message.",),
         details_zh=("负责人或主管可转交；已分配给其他人的任务不变。新负责人会收到商机卡片私信。",),
         read=parser.read_assign, commands=(c.AssignDeal, c.AssignLead),
         examples=("assign D-1 @bob", "转交 D-1 @bob", "assign L-1 @bob")),
    Verb("reopen", "重开", ("re-open", "重新打开"), "reopen D-12 [stage]", "重开 D-12 [阶段]",
         "reopen a closed deal in a stage", "重新打开已关闭的商机",
         details_en=("A lost deal: its owner or a manager; a won deal: a manager. "
                     "Without a stage the deal returns to the stage it was closed from. Its close no longer "
                     "counts in the figures from now on; its history keeps it.",),
         details_zh=("丢单的商机：负责人或主管可重开；赢单的商机：仅主管。"
                     "不写阶段时回到关闭前所在的阶段。从此刻起不再计入赢单或丢单数字，历史记录保留。",),
         read=parser.read_reopen, commands=(c.ReopenDeal,),
         examples=("reopen D-1", "reopen D-1 quote", "重开 D-1 方案演示")),
    Verb("undo", "撤销", ("revert", "撤回"), "undo", "撤销",
         "take back your own last change (within 10 minutes)", "撤销自己最近的一次修改（10 分钟内）",
         details_en=("Moves, edits, hand-overs, ticks, won and lost, reopening, tasks made and done. "
                     "Not once someone changed the same deal or task after you.",),
         details_zh=("可撤销：推进、修改、转交、勾选、赢单和丢单、重开、新建和完成任务。"
                     "之后有人又改过同一商机或任务时不能撤销。",),
         read=parser.read_undo, commands=(c.Undo,),
         examples=("undo", "撤销")),
    Verb("check", "勾选", ("tick",), "check D-12 <deliverable number>", "勾选 D-12 <输出物序号>",
         "tick off a deliverable of the deal's stage", "勾选当前阶段的输出物",
         read=parser.read_check, commands=(c.CheckDeliverable,),
         examples=("check D-1 1", "勾选 D-1 1")),
    Verb("won", "赢单", ("win", "成交"), "won D-12 [amount]", "赢单 D-12 [金额]",
         "mark a deal won", "标记赢单",
         read=parser.read_won, commands=(c.WinDeal,),
         examples=("won D-1 48k", "赢单 D-1")),
    Verb("lost", "丢单", ("lose", "输单"), "lost D-12 <reason>", "丢单 D-12 <原因>",
         "mark a deal lost, with the reason", "标记丢单（需填写原因）",
         read=parser.read_lost, commands=(c.LoseDeal,),
         examples=("lost D-1 budget cut", "丢单 D-1 预算被砍")),
    Verb("log", "跟进", ("note", "followup", "记录跟进"),
         "log D-12 [call:|meeting:|email:] <what happened, next step and date>",
         "跟进 D-12 [电话:|会议:|邮件:] <跟进内容、下一步和日期>",
         "log a follow-up; a dated next step becomes a task", "记录跟进；带日期的下一步自动生成任务",
         details_en=("记录 D-12 <text> (Chinese for \"record\") logs a follow-up too.",),
         details_zh=("“记录 D-12 <内容>”同样是记录跟进（记录后面跟商机编号时）。",),
         read=parser.read_log, commands=(c.LogFollowUp,),
         examples=("log D-1 call: they want a revised quote by next Friday", "跟进 D-1 电话：客户要求下周三前发报价")),
    Verb("task", "任务", ("todo",), "task <what> [D-12] [@user] [due:<date>]",
         "任务 <内容> [D-12] [@用户] [截止:<日期>]",
         "add a task; a date in the text sets its due time", "新建任务；内容里的日期即截止时间",
         details_en=("due: " + _DATES_EN,), details_zh=("截止: " + _DATES_ZH,),
         read=parser.read_task, commands=(c.AddTask,),
         examples=("task send contract draft D-1 in 3 days", "任务 发报价 D-1 截止:下周三")),
    Verb("tasks", "待办", ("任务列表",), "tasks [mine|overdue|team|overdue team|D-12]", "待办 [我的|逾期|团队|逾期 团队|D-12]",
         "list open tasks", "查看待办任务",
         details_en=("tasks overdue team: the team's overdue tasks, for managers.",),
         details_zh=("待办 逾期 团队：团队的逾期任务（主管）。",),
         read=parser.read_tasks, commands=(c.ListTasks,),
         examples=("tasks", "tasks overdue", "待办 D-1", "tasks overdue team")),
    Verb("done", "完成", ("complete", "finish"), "done T-7", "完成 T-7",
         "complete a task", "完成任务",
         read=parser.read_done, commands=(c.CompleteTask,),
         examples=("done T-1", "完成 T-1")),
    Verb("me", "我", ("profile", "我的"),
         "me | me lang <en|zh> | me tz <Area/City> | me link [code|confirm|cancel] | me away until <date>|off",
         "我 | 我 语言 <en|zh> | 我 时区 <Area/City> | 我 绑定 [验证码|确认|取消] | 我 请假 到 <日期>|结束",
         "your profile, language, time zone; link your accounts on other platforms; away (no leads)",
         "查看或设置个人语言、时区；绑定其他平台的账号；请假（期间不分配线索）",
         details_en=("me away until next friday: no leads are offered to you through that day; me away off: back.",),
         details_zh=("我 请假 到 下周五：截至当天结束不给您分配线索；我 请假 结束：销假。",),
         read=parser.read_me, commands=(c.ShowMe, c.SetLanguage, c.SetTimezone, c.StartLink, c.LinkAccount, c.ConfirmLink, c.CancelLink, c.SetAway),
         examples=("me", "me lang zh", "我 时区 Asia/Shanghai", "me link", "me link 12345678", "me link confirm", "me link cancel",
                   "me away until next friday", "我 请假 到 下周五", "me away off")),
    Verb("team", "团队", ("teams",), "team | team new <name> [tz:<Area/City>] [lang:<en|zh>]",
         "团队 | 团队 新建 <名称> [时区:<Area/City>] [语言:<en|zh>]",
         "list or create teams (admins)", "查看或新建团队（管理员）",
         read=parser.read_team, commands=(c.ListTeams, c.CreateTeam),
         examples=("team", "team new East tz:Asia/Shanghai lang:zh")),
    Verb("member", "成员", ("members",),
         "member | member @user [role:<rep|manager|admin>] [team:<name>] [to:@heir] | "
         "member @user remove [to:@heir] | member @user restore | member approve|ignore R-3",
         "成员 | 成员 @用户 [角色:<销售|主管|管理员>] [团队:<名称>] [交给:@接手人] | "
         "成员 @用户 移除 [交给:@接手人] | 成员 @用户 恢复 | 成员 批准|忽略 R-3",
         "list members, set one's role and team, remove or restore one, decide access requests (admins)",
         "查看成员，设置角色、团队，移除或恢复成员，处理加入申请（管理员）",
         read=parser.read_member, commands=(c.ListMembers, c.UpdateMember, c.RemoveMember, c.RestoreMember, c.DecideAccess),
         examples=("member", "member @alice role:manager", "member @alice remove to:@boss", "member @alice restore", "member approve R-1", "成员 忽略 R-1")),
    Verb("invite", "邀请", ("invitation",), "invite [team:<name>] [role:<rep|manager|admin>]",
         "邀请 [团队:<名称>] [角色:<销售|主管|管理员>]",
         "a one-time code that lets one person join (admins; managers for their team's reps)",
         "生成一次性邀请码，让一个人加入（管理员；主管可邀请本团队销售）",
         read=parser.read_invite, commands=(c.CreateInvite,),
         examples=("invite team:sales role:rep", "邀请")),
    Verb("join", "加入", ("申请加入",), "join <invite code>", "加入 <邀请码>",
         "join the team with an invite code", "凭邀请码加入团队",
         read=parser.read_join, commands=(c.Join,),
         examples=("join abcdefghjkmn",)),
    Verb("snooze", "推迟", ("稍后提醒", "later"), "snooze D-12|T-7 [2d|4h|1w|<date>]",
         "推迟 D-12|T-7 [2天|4小时|1周|<日期>]",
         "hold back reminders about a deal or task (default 1 day)", "推迟商机或任务的提醒（默认 1 天）",
         read=parser.read_snooze, commands=(c.Snooze,),
         examples=("snooze D-1 2d", "snooze T-1", "推迟 D-1 2天")),
    Verb("digest", "推送", ("订阅", "scorecards"), "digest [here weekly|daily] | digest off",
         "推送 [本群 每周|每日] | 推送 关闭",
         "send the team's scorecard to this chat (managers)", "向本群推送团队周报或日报（主管）",
         read=parser.read_digest, commands=(c.ShowDigests, c.SubscribeDigest, c.StopDigests),
         examples=("digest", "digest here weekly", "推送 本群 每日", "digest off")),
    Verb("link", "绑定", ("bind", "关联群"), "link D-12 | link customer:<name>",
         "绑定 D-12 | 绑定 客户:<名称>",
         "record this group chat into a deal's (or customer's) timeline", "将本群消息记录到商机（或客户）的跟进记录",
         read=parser.read_link_chat, commands=(c.LinkChat,),
         examples=("link D-1", "绑定 客户:Acme")),
    Verb("unlink", "解绑", ("unbind", "取消绑定"), "unlink", "解绑",
         "stop recording this group chat", "解绑本群，停止会话记录",
         read=parser.read_unlink_chat, commands=(c.UnlinkChat,),
         examples=("unlink", "解绑")),
    Verb("capture", "记录", ("recording", "会话记录"), "capture [on|off|status]", "记录 [开|关|状态]",
         "pause, resume or check recording of this group chat", "暂停、恢复或查看本群的会话记录",
         details_en=("With a deal id, 记录 logs a follow-up: 记录 D-12 客户来电 is 跟进 D-12 客户来电.",),
         details_zh=("后面跟商机编号时，“记录”是记录跟进：记录 D-12 客户来电 即 跟进 D-12 客户来电。",),
         read=parser.read_capture, commands=(c.ShowCapture, c.SetCapture, c.LogFollowUp),
         examples=("capture", "capture off", "记录 开", "记录 D-1 客户来电")),
    Verb("keep", "保留", ("accept", "采纳"), "keep S-3", "保留 S-3",
         "keep a next step found in a linked chat as a task", "将绑定群里发现的下一步保留为任务",
         read=parser.read_keep, commands=(c.KeepSuggestion,),
         examples=("keep S-1", "保留 S-1")),
    Verb("dismiss", "忽略", ("ignore", "不用"), "dismiss S-3", "忽略 S-3",
         "dismiss a next step found in a linked chat", "忽略绑定群里发现的下一步",
         read=parser.read_dismiss, commands=(c.DismissSuggestion,),
         examples=("dismiss S-1", "忽略 S-1")),
    Verb("forget", "忘记", ("erase", "删除个人数据"), "forget @person | forget contact:<platform>:<user id>",
         "忘记 @某人 | 忘记 contact:<平台>:<用户ID>",
         "erase a person's recorded chat messages and personal details (admins)",
         "删除某人的会话记录和个人信息（管理员）",
         read=parser.read_forget, commands=(c.Forget,),
         examples=("forget @alice", "forget contact:telegram:2001")),
    Verb("scorecard", "周报", ("scores", "看板"), "scorecard [team] [week: last week|this week|2026-W10]",
         "周报 [团队] [周：上周|本周|2026-W10]",
         "the weekly scorecard: new, won, lost, win rate, cycle, funnel, per rep, stalled deals",
         "销售周报：新增、赢单、丢单、赢单率、成交周期、漏斗、人均产出、停滞商机",
         read=parser.read_scorecard, commands=(c.ShowScorecard,),
         examples=("scorecard", "scorecard sales this week", "周报 上周")),
    Verb("funnel", "漏斗", ("销售漏斗", "conversion"),
         "funnel [team] [period: this quarter|上个月|Q3|2026-03] [by:industry|source|tag]",
         "漏斗 [团队] [时段：本季度|上个月|Q3|2026-03] [按:行业|来源|标签]",
         "how far the deals created in a period got, stage by stage; by:… per kind of customer",
         "销售漏斗：某时段新建商机的各阶段转化率；按:… 分客户类型",
         read=parser.read_funnel, commands=(c.ShowFunnel,),
         examples=("funnel last quarter", "漏斗 上个月", "funnel this quarter by:industry", "漏斗 按:来源")),
    Verb("forecast", "预测", ("业绩预测", "projection"), "forecast [team] [period: this month|next month|本季度]",
         "预测 [团队] [时段：本月|下个月|本季度]",
         "expected wins of the open deals closing in a period, with each deal's win probability",
         "业绩预测：按赢单概率估算某时段预计成交金额",
         read=parser.read_forecast, commands=(c.ShowForecast,),
         examples=("forecast next month", "预测 本季度")),
    # -- customers (issue 17) --
    Verb("customer", "客户", ("client", "客户卡"),
         'customer <name> [industry:…] [source:…] [tag:…] [tag:-…] [owner:@user] [lifecycle:…] [name:"…"]',
         '客户 <名称> [行业:…] [来源:…] [标签:…] [标签:-…] [负责人:@用户] [生命周期:…] [名称:"…"]',
         "a customer's card: lifecycle, owner, deals, contacts, follow-ups, open tasks; or set its fields",
         "客户卡片：生命周期、负责人、商机、联系人、跟进、待办；或修改客户信息",
         details_en=(
             "Lifecycle: lead → opportunity → customer → former customer. A new deal makes a lead an "
             "opportunity, a won deal makes a customer; set it by hand with lifecycle:former (or lead, "
             "opportunity, customer).",
             "tag:… adds a tag, tag:-… takes it off; industry:- and source:- clear the field.",
             "The customer's owner, a manager of its team or an admin changes its fields; a rep who owns "
             "one of its deals too, while it has no owner."),
         details_zh=(
             "生命周期：线索 → 商机 → 成交客户 → 流失客户。新建商机使线索变为商机，赢单使其成为成交客户；"
             "也可手动设置，如 生命周期:流失（或 线索、商机、客户）。",
             "标签:… 添加标签，标签:-… 去掉标签；行业:- 与 来源:- 清空该项。",
             "客户负责人、所在团队主管或管理员可修改客户信息；客户尚无负责人时，其商机的负责人也可以。"),
         read=read_customer, commands=(c.ShowCustomer, c.SetCustomer),
         examples=("customer Acme", '客户 Acme 行业:能源 来源:展会 标签:重点 名称:"Acme Group"')),
    Verb("contact", "联系人", ("添加联系人",),
         'contact <customer> "<person>" [role:…] [phone:…] [email:…] | contact <customer> "<person>" remove',
         '联系人 <客户> "<姓名>" [角色:…] [电话:…] [邮箱:…] | 联系人 <客户> "<姓名>" 删除',
         "add a customer's contact, or change or remove one", "添加、修改或删除客户联系人",
         details_en=(
             'Quote a name of several words: contact Acme Group "Wang Wei". A contact of the same name '
             "is changed, only in the fields given; role:- (phone:-, email:-) clears one.",
             "A person who wrote in the customer's linked chats and has that name is joined to the "
             "contact (their account is remembered with it)."),
         details_zh=(
             '多个词的姓名请加引号：联系人 Acme Group "王伟"。同名联系人只修改给出的项；角色:-（电话:-、邮箱:-）清空该项。',
             "若客户绑定的群里有同名的人发过言，会与该联系人关联（记下其账号）。"),
         read=read_contact, commands=(c.SetContact,),
         examples=('contact Acme "王经理" role:采购 phone:13800138000 email:wang@acme.cn',
                   '联系人 Acme "王经理" 删除')),
    Verb("contacts", "通讯录", ("联系人列表",), "contacts <customer>", "通讯录 <客户>",
         "a customer's contacts, with the people who wrote in its linked chats",
         "客户联系人，包括在绑定群里发过言的人",
         read=read_contacts, commands=(c.ListContacts,),
         examples=("contacts Acme", "联系人列表 Acme")),
    Verb("merge", "合并", ("合并客户",), 'merge customer "<name>" into <name>', '合并 客户 "<名称>" 到 <名称>',
         "make two records of one customer one: deals, contacts, follow-ups, tasks, linked chats (managers)",
         "合并重复客户：商机、联系人、跟进、任务和绑定群都并入后者（主管）",
         details_en=("The first customer's name becomes an alias of the second, so deals and chats that "
                     "name it still find it. Both must be of one team.",),
         details_zh=("前一个客户的名称成为后者的别名，提到旧名称的商机和群仍能找到它。两个客户须属于同一团队。",),
         read=read_merge, commands=(c.MergeCustomers,),
         examples=('merge customer "Acme Inc" into Acme', "合并 客户 Acme公司 到 Acme")),
    # -- team performance (issue 19) --
    Verb("target", "目标", ("goal", "设定目标", "业绩目标"),
         "target [@user|team] <amount|count|off> [wins|new|follow-ups] [period: this month|2026-Q1]",
         "目标 [@用户|团队] <金额|数量|取消> [赢单数|新商机|跟进] [时段：本月|本季度|2026-Q1]",
         "set a rep's or a team's target for a period (managers); off removes it",
         "为销售或团队设定某时段的业绩目标（主管）；写 取消 即删除",
         details_en=(
             "The won amount by default (target @alice 500k 2026-Q1); or a count: "
             "target @alice 8 wins, target east 40 new, target @bob 60 follow-ups.",
             "No user or team: your own team. No period: this month. Setting it again replaces it.",
             "Attainment and pace show in targets, scorecard and forecast."),
         details_zh=(
             "默认按赢单金额（目标 @alice 50万 2026-Q1）；也可按数量：目标 @alice 8 赢单数、"
             "目标 华南 40 新商机、目标 @bob 60 跟进。",
             "不写用户或团队即本团队；不写时段即本月；再次设定会覆盖。",
             "完成率与进度见 目标列表、周报 和 预测。"),
         read=parser.read_target, commands=(c.SetTarget,),
         examples=("target @alice 500k 2026-Q1", "target sales 2m this month", "target @bob 8 wins",
                   "目标 sales 200万 本季度", "target @alice off 2026-Q1")),
    Verb("targets", "目标列表", ("goals", "查看目标", "目标完成"),
         "targets [team] [period: this month|2026-Q1]", "目标列表 [团队] [时段：本月|本季度]",
         "targets with attainment and pace: won so far, weighted pipeline, gap, needed per week",
         "目标完成情况：已完成、加权管道、差额、剩余每周所需",
         read=parser.read_targets, commands=(c.ListTargets,),
         examples=("targets", "targets sales this quarter", "目标列表 本月")),
    Verb("notify", "通知", ("news", "动态", "商机动态"), "notify [here won,lost,new,moved,assigned [min:100k]] | notify off",
         "通知 [本群 赢单,丢单,新建,推进,转交 [最低:10万]] | 通知 关闭",
         "post the team's deal events to this chat (managers)", "把团队的商机动态推送到本群（主管）",
         details_en=(
             "No events named: all five. min: keeps deals of that amount or more (in its currency).",
             "News waits for working hours; several at once arrive as one message. A change taken back "
             "with undo before its news went out sends nothing; after, a correction follows.",
         ),
         details_zh=(
             "不写事件即全部五种。最低: 只推送金额不低于该值的商机（同币种）。",
             "动态在工作时间发送；同时发生的多条合并为一条消息。撤销的操作若尚未推送则不再发送，已推送则补发更正。",
         ),
         read=read_notify, commands=(c.ShowNotify, c.SubscribeNotify, c.StopNotify),
         examples=("notify", "notify here won min:100k", "通知 本群 赢单,丢单", "notify off")),
    # the daily update by reply: a free-text answer to the daily card is read into proposals
    # (core/services/daily_updates.py); these two are its buttons, and can be typed
    Verb("confirm", "确认", ("确认更新",), "confirm U-3", "确认 U-3",
         "write what your update U-3 proposed (its [Confirm all] button)",
         "写入进展更新 U-3 的全部建议（即[全部确认]按钮）",
         details_en=("Answer the daily card in your own words, e.g. \"Acme agreed to a demo next Tuesday, "
                     "sent Huawei the quote\": dealbot proposes a follow-up, a task and a stage move per deal "
                     "and writes nothing until you confirm.",),
         details_zh=("直接用自己的话回复每日卡片，例如“Acme 同意下周二演示，华为报价已发”：dealbot 为每个商机"
                     "建议跟进、任务和阶段推进，确认之前不写入任何内容。",),
         read=parser.read_confirm, commands=(c.ConfirmUpdate,),
         examples=("confirm U-1", "确认 U-1")),
    Verb("skip", "跳过", ("跳过此项",), "skip U-3 <item>", "跳过 U-3 <序号>",
         "leave one item of your update U-3 out (its [Skip] button)", "不写入进展更新 U-3 的某一项（即[跳过]按钮）",
         read=parser.read_skip, commands=(c.SkipUpdateItem,),
         examples=("skip U-1 2", "跳过 U-1 2")),
    # -- leads (issue 18) --
    Verb("lead", "线索", ("leads", "新线索", "线索列表"),
         "lead <company> [person] [phone] [email] [source:…] [territory:…] [industry:…] [note:…] [pool] | "
         "lead L-7 [accept|pass] | lead",
         "线索 <公司> [联系人] [电话] [邮箱] [来源:…] [区域:…] [行业:…] [备注:…] [公海] | "
         "线索 L-7 [接受|放弃] | 线索",
         "take in a lead: a known customer's goes to its owner, others by the team's rules; "
         "answer an offer; alone: the leads waiting for you",
         "录入线索：已有客户的线索交给其负责人，其余按团队规则分配；回复分配；单独使用：待您处理的线索",
         details_en=(
             "Quote a company name of several words: lead \"Acme Group\" Wang 13800138000 source:expo.",
             "The rep offered a lead gets a DM with [Accept] [Pass] and a first-contact limit in working hours; "
             "a pass or the limit offers it to the next rep, and nobody left puts it into the pool.",
             "Accepting makes the lead a customer (with the person as a contact) and a deal at the first stage.",
             "pool puts the lead straight into the team's pool; team:<name> (admins) takes it into another team."),
         details_zh=(
             '多个词的公司名请加引号：线索 "Acme Group" 王经理 13800138000 来源:展会。',
             "被分配的销售会收到带 [接受] [放弃] 的私信，须在规定工作时长内接受；放弃或超时则转给下一位，"
             "无人可接时进入公海。",
             "接受后线索成为客户（联系人一并记入），并在第一阶段新建商机。",
             "写 公海 则直接放入团队公海；团队:<名称>（管理员）录入其他团队。"),
         read=read_lead, commands=(c.NewLead, c.ListLeads, c.ShowLead, c.AcceptLead, c.PassLead),
         examples=("lead Acme 王经理 13800138000 source:展会", '线索 "Beta Corp" 李四 li@beta.cn 来源:官网 区域:华南',
                   "lead", "lead L-1", "lead L-1 accept", "线索 L-1 放弃", "lead Gamma pool")),
    Verb("pool", "公海", ("线索池", "lead-pool"), "pool [team]", "公海 [团队]",
         "the team's pool: leads nobody holds, for any rep to claim", "团队公海：无人跟进、可领取的线索",
         read=read_pool, commands=(c.ListPool,),
         examples=("pool", "公海")),
    Verb("claim", "领取", ("认领", "take-lead"), "claim L-7", "领取 L-7",
         "take a lead from the pool: it becomes your customer and deal", "从公海领取线索：成为您的客户和商机",
         read=read_claim, commands=(c.ClaimLead,),
         examples=("claim L-1", "领取 L-1")),
    # -- approvals (issue 20) --
    Verb("approve", "申请审批", ("批准", "审批通过", "同意"),
         'approve D-12 discount:15% "reason" | approve D-12 amount[:2m] "reason" | approve A-3',
         '申请审批 D-12 折扣:15% "原因" | 申请审批 D-12 金额[:200万] "原因" | 批准 A-3',
         "ask for an approval of a discount or an amount; approvers: approve A-3",
         "为折扣或金额申请审批；审批人：批准 A-3",
         details_en=(
             "The team's policy says who approves: by default a discount over 10% needs a manager, "
             "over 25% an admin as well; approvers by role or by name, in order or any one of them.",
             "Each approver gets a card in a direct message: [Approve] [Reject] [Ask a question]. "
             "You are told at each step; `approvals` lists what waits.",
             "A stage the policy gates (in the pipeline file) is refused while the deal's approval "
             "is pending or rejected; so is raising the amount of a deal in or past it without one: "
             "ask first with approve D-12 amount:2m."),
         details_zh=(
             "由团队的审批规则决定审批人：默认折扣超过 10% 需主管审批，超过 25% 还需管理员；"
             "审批人可按角色或指定成员，依次审批或任一人审批。",
             "每位审批人会在私聊中收到卡片：[批准] [驳回] [提问]。每一步都会通知申请人；“审批”列出待办。",
             "审批规则（流程文件）所管的阶段，在审批待定或被驳回时不能推进；商机已到或已过该阶段时，"
             "未经审批也不能调高金额：先申请 申请审批 D-12 金额:200万。"),
         read=read_approve, commands=(c.RequestApproval, c.DecideApproval),
         examples=('approve D-1 discount:15% "big order"', "approve D-1 amount", "approve D-1 amount:2m",
                   "申请审批 D-1 折扣:15% 大单",
                   "approve A-1", "批准 A-1 step:1")),
    Verb("reject", "驳回", ("decline", "拒批"),
         "reject A-3 <reason>", "驳回 A-3 <原因>",
         "reject an approval you are asked for (a reason is required)", "驳回待您审批的申请（须写原因）",
         read=read_reject, commands=(c.DecideApproval,),
         examples=("reject A-1 margin too thin", "驳回 A-1 利润太低")),
    Verb("ask", "提问", ("question", "询问"),
         "ask A-3 <question>", "提问 A-3 <问题>",
         "ask the requester a question about an approval", "就审批向申请人提问",
         read=read_ask, commands=(c.DecideApproval,),
         examples=("ask A-1 what does the customer commit to?", "提问 A-1 客户承诺了什么？")),
    Verb("approvals", "审批", ("审批列表", "待审批"),
         "approvals", "审批",
         "approvals waiting for you, and those you asked for", "待您审批的申请，以及您提交的申请",
         read=read_approvals, commands=(c.ListApprovals,),
         examples=("approvals", "审批")),
    # -- points, leaderboard, pipeline review (issue 19) --
    Verb("points", "积分", ("point", "我的积分", "查看积分"),
         "points [@user] [period] | points award @user <n> <reason> | points rules | "
         "points rule <rule> <n> [cap:<n>] | points on|off",
         "积分 [@用户] [时段] | 积分 奖励 @用户 <分数> <原因> | 积分 规则 | 积分 规则 <规则> <分数> [上限:<次数>] | "
         "积分 开启|关闭",
         "points for keeping the pipeline true; managers award points and set the rules",
         "保持销售管道真实可得积分；主管可奖励积分、设置规则",
         details_en=(
             "Earned for: the daily update before the end of the working day, a follow-up logged, "
             "a deliverable checked, a task done on time, a next step kept, a first contact within "
             "its time limit. Each rule has a daily cap; an undone change earns nothing.",
             "Rules: daily, follow-up, deliverable, task, next-step, first-contact "
             "(points rule follow-up 2 cap:5). points off stops them for the team.",
             "No user: your own points; no period: this week. Reps see their own; managers their team's."),
         details_zh=(
             "可得积分：下班前的每日更新、记录跟进、勾选阶段输出物、按时完成任务、采纳下一步、"
             "在时限内首次联系新商机。每条规则每天有上限；被撤销的操作不计分。",
             "规则：日报、跟进、输出物、任务、下一步、首次联系（积分 规则 跟进 2 上限:5）。"
             "积分 关闭 可停用本团队积分。",
             "不写用户即自己，不写时段即本周。销售只能看自己的积分，主管可看本团队。"),
         read=read_points,
         commands=(c.ShowPoints, c.ShowPointRules, c.AwardPoints, c.SetPointRule, c.SwitchPoints),
         examples=("points", "points @alice last week", "points rules", 'points award @alice 5 "closed Acme"',
                   "points rule follow-up 2 cap:5", "points off", "积分 本月", "积分 奖励 @alice 10 拿下大单")),
    Verb("leaderboard", "排行榜", ("ranking", "rank", "积分榜"),
         "leaderboard [team] [period: this week|this month]", "排行榜 [团队] [时段：本周|本月]",
         "the team's points, most first, and who improved most", "团队积分排行，以及进步最大的人",
         read=read_leaderboard, commands=(c.ShowLeaderboard,),
         examples=("leaderboard", "leaderboard sales this month", "排行榜 本周")),
    Verb("review", "过单", ("pipeline-review", "过单会", "deal-review"),
         "review [team] [closing] | review D-12 commit|best|pipeline|lost|skip | review D-12 slip <date>",
         "过单 [团队] [本期] | 过单 D-12 承诺|最佳|管道|丢单|跳过 | 过单 D-12 延期 <日期>",
         "walk the team's open deals one card at a time and call each one (managers)",
         "逐个过团队的在跟商机，给每个商机定预测分类（主管）",
         details_en=(
             "Largest deals first; closing: those expected to close this month. Each card has "
             "[Commit] [Best case] [Pipeline] [Slip] [Lost] buttons; the answer becomes the deal's "
             "forecast category (kept with its history) and a task for its owner.",
             "forecast then shows commit, best case and the weighted pipeline against the target."),
         details_zh=(
             "金额大的在前；本期：本月预计成交的商机。每张卡片有 [承诺] [最佳] [管道] [延期] [丢单] 按钮；"
             "答案成为商机的预测分类（保留历史），并给负责人建一个任务。",
             "之后 预测 会显示承诺、最佳情况与加权管道，并与目标对比。"),
         read=read_review, commands=(c.StartReview, c.CallDeal),
         examples=("review", "review closing", "review D-1 commit", "review D-1 slip next month",
                   "过单 D-1 最佳", "过单 本期")),
    # -- knowledge (issue 20) --
    Verb("summary", "总结", ("recap", "摘要", "商机摘要"), "summary D-12", "总结 D-12",
         "a deal in short: stage path, commitments kept or not, open tasks, what it waits on",
         "商机摘要：阶段路径、承诺是否兑现、待办、在等谁、客户最后一条消息",
         details_en=("Built only from what is stored: stage changes, logged follow-ups, captured chat "
                     "messages and tasks. A promise is a follow-up that made a task, or a dated "
                     "commitment in a linked chat; the task says whether it was kept.",),
         details_zh=("只依据已存储的记录：阶段变更、跟进记录、绑定群消息和任务。承诺指生成了任务的跟进，"
                     "或绑定群里带日期的承诺；是否兑现以任务为准。",),
         read=read_summary, commands=(c.ShowSummary,),
         examples=("summary D-1", "总结 D-1")),
    Verb("playbook", "话术", ("playbooks", "打法", "销售手册"),
         'playbook [stage] | playbook <stage> [talk|objection|checklist|template] add "…" | '
         "playbook <stage> remove <n> | playbook <stage> history",
         '话术 [阶段] | 话术 <阶段> [话术|异议|清单|模板] 添加 "…" | 话术 <阶段> 删除 <序号> | 话术 <阶段> 历史',
         "a stage's playbook: talking points, objection handling, checklist, templates; managers edit it",
         "阶段打法：话术、异议处理、检查清单、消息模板；主管可编辑",
         details_en=("The pipeline file can bring each stage's playbook ([stages.playbook]); managers add "
                     "and remove lines from chat, and history says who changed what, when.",
                     "A deal made in or moved into a stage shows the first lines of its playbook, with [More].",
                     "Numbers count the stage's lines in the order shown."),
         details_zh=("销售管道文件可为每个阶段写打法（[stages.playbook]）；主管可在聊天中添加、删除条目，"
                     "“历史”显示谁在何时改了什么。",
                     "商机新建于或推进到某阶段时，会显示该阶段打法的前几条，并附 [更多] 按钮。",
                     "序号按显示顺序计数。"),
         read=read_playbook, commands=(c.ShowPlaybook, c.EditPlaybook, c.PlaybookHistory),
         examples=("playbook", "playbook quote", 'playbook quote add "Lead with the ROI sheet"',
                   '话术 报价 异议 添加 "太贵了：先问预算范围，再讲分期"', "playbook quote remove 1",
                   "话术 报价 历史")),
    Verb("faq", "问答", ("常见问题", "知识库", "kb"),
         'faq <words> | faq add "question" "answer" [tags:a,b] | faq remove F-3 | faq gaps',
         '问答 <关键词> | 问答 添加 "问题" "答案" [标签:a,b] | 问答 删除 F-3 | 问答 缺口',
         "search the team's FAQ (Chinese, pinyin or English); managers add answers and see the gaps",
         "搜索团队常见问题（中文、拼音或英文）；主管可添加问答、查看未解答的问题",
         details_en=("The best answer comes first, with a [Not helpful] button; `faq gaps` lists what was "
                     "asked with no good answer, or whose answer did not help.",
                     "Pinyin finds Chinese: faq baojia finds 报价."),
         details_zh=("最佳答案排在最前，附 [没帮助] 按钮；“问答 缺口”列出没有好答案或答案没帮助的提问。",
                     "拼音也能搜中文：问答 baojia 可找到“报价”。"),
         read=read_faq, commands=(c.AskFaq, c.AddFaq, c.RemoveFaq, c.FaqGaps, c.FaqFeedback),
         examples=("faq discount policy", "问答 报价 折扣", 'faq add "Can we invoice monthly?" "Yes, from 50k a year" tags:billing',
                   "faq remove F-1", "faq gaps", "faq unhelpful A-1")),
    Verb("retro", "复盘", ("retrospective", "回顾"), 'retro D-12 ["why we won or lost, what worked, the turning point"]',
         '复盘 D-12 ["赢/丢单原因、有效做法、转折点"]',
         "a closed deal's retrospective; without text, the prompts", "已关闭商机的复盘；不写内容时显示复盘提示",
         details_en=("The owner (or a manager) writes it once the deal is won or lost; writing again "
                     "replaces it. Retros show in cases.",),
         details_zh=("商机赢单或丢单后，由负责人（或主管）填写；再次填写会覆盖。复盘会显示在 案例 中。",),
         read=read_retro, commands=(c.AddRetro,),
         examples=('retro D-1 "Won on the pilot; the CFO call was the turning point"', "复盘 D-1")),
    Verb("cases", "案例", ("case", "历史案例", "项目案例"), "cases [words] [industry:…] [tag:…] [source:…] | cases D-12",
         "案例 [关键词] [行业:…] [标签:…] [来源:…] | 案例 D-12",
         "past won and lost deals like these: their path through the stages, retro and playbook lines",
         "历史项目案例：相似的赢单、丢单商机，及其阶段路径、复盘和所用打法",
         details_en=("cases D-12: the closed deals most like D-12 (same industry first, then source, tags, "
                     "size, customer), each with why.",),
         details_zh=("案例 D-12：与 D-12 最相似的已关闭商机（同行业优先，其次来源、标签、金额、客户），并说明原因。",),
         read=read_cases, commands=(c.FindCases,),
         examples=("cases", "cases industry:energy", "案例 标签:重点 来源:展会", "cases D-1")),
    Verb("onboard", "带新人", ("onboarding", "新人培训"), "onboard [@newrep] | onboard done <n>",
         "带新人 [@新人] | 带新人 完成 <序号>",
         "send a new rep the stage playbooks and top FAQ, a little each working day for two weeks (managers)",
         "新人培训：两周内每个工作日推送一点阶段打法和常见问题（主管）",
         details_en=("The lessons go out through the bot's outbox, one each working day at the start of "
                     "working hours, to the rep's direct chat. Each has a [Got it] button; `onboard` "
                     "shows the manager how far each rep got, and the manager hears when the plan ends.",),
         details_zh=("课程经由机器人的消息队列，于每个工作日上班时发到新人的私聊，每条都有 [已读] 按钮；"
                     "“带新人”显示每位新人的进度，计划结束时主管会收到通知。",),
         read=read_onboard, commands=(c.StartOnboarding, c.ShowOnboarding, c.OnboardingDone),
         examples=("onboard @bob", "带新人", "onboard done 1")),
    # -- the health board (issue 19) --
    Verb("health", "健康度", ("销售健康度", "board"),
         "health [team] [week: last week|this week|2026-W10]", "健康度 [团队] [周：上周|本周|2026-W10]",
         "the health board: conversion, cycle, output per rep, target, update discipline, first response, "
         "satisfaction, complaints; each team side by side, with four weeks of trend",
         "销售健康度：转化率、成交周期、人均产出、目标完成、更新及时率、首次响应、满意度、投诉率，各团队并列，附近四周趋势",
         details_en=(
             "No team: your own; an admin sees every team side by side. Default: last week.",
             "Update discipline: the open deals touched (moved, a follow-up, a message in their chat) within their "
             "stage's time limit. Complaint rate: complaints ÷ customers with a won deal.",
             "Also pushed weekly with the digest (digest here weekly)."),
         details_zh=(
             "不写团队即本团队；管理员可并列查看所有团队。默认上周。",
             "更新及时率：在阶段时限内有过推进、跟进或群消息的未结商机占比。投诉率：投诉数 ÷ 已成交客户数。",
             "推送 本群 每周 订阅周报后，每周随周报推送。"),
         read=read_health, commands=(c.ShowHealth,),
         examples=("health", "health sales this week", "健康度 上周")),
    Verb("csat", "满意度", ("satisfaction", "客户满意度", "评分"), 'csat D-12 [1-5] ["comment"] | csat D-12 send',
         '满意度 D-12 [1-5] ["评价"] | 满意度 D-12 发送',
         "record the customer's 1–5 satisfaction with a deal; no score: buttons to record it; send: ask in "
         "its linked chat",
         "记录客户对商机的满意度（1–5 分）；不写分数则给出评分按钮；发送：在绑定的客户群里询问",
         details_en=("csat D-12 send posts the question to the deal's linked chat; the customer's answer "
                     "there (a lone 1 to 5, within 14 days) is recorded as the deal's score.",),
         details_zh=("满意度 D-12 发送 会在商机绑定的群里发出问卷；客户 14 天内在群里回复的 1 到 5 的数字即记为该商机的评分。",),
         read=read_csat, commands=(c.RecordSatisfaction,),
         examples=('csat D-1 4 "quick delivery"', "满意度 D-1 5", "csat D-1", "csat D-1 send")),
    Verb("complaint", "投诉", ("complain", "客户投诉"), 'complaint <customer|D-12> "what they said"',
         '投诉 <客户|D-12> "投诉内容"',
         "log a customer's complaint (C-n), open until resolved", "登记客户投诉（C-编号），解决前保持未结",
         details_en=('A customer name of several words is quoted, or ends where the quoted complaint begins: '
                     'complaint Acme Group "late delivery".',),
         details_zh=('多个词的客户名请加引号，或写在带引号的投诉内容之前：投诉 Acme Group "发货太慢"。',),
         read=read_complaint, commands=(c.LogComplaint,),
         examples=('complaint Acme "late delivery"', '投诉 D-1 "发票开错了"')),
    Verb("resolve", "解决", ("resolved", "已解决"), "resolve C-3 [how]", "解决 C-3 [处理方式]",
         "mark a complaint resolved", "将投诉标为已解决",
         read=read_resolve, commands=(c.ResolveComplaint,),
         examples=("resolve C-1 refunded the shipping", "解决 C-1")),
    Verb("complaints", "投诉列表", ("查看投诉",), "complaints [all]", "投诉列表 [全部]",
         "the team's open complaints (all: resolved ones too)", "本团队未解决的投诉（全部：含已解决）",
         read=read_complaints, commands=(c.ListComplaints,),
         examples=("complaints", "投诉列表 全部")),
    Verb("quality", "数据质量", ("dataquality", "质量"), "quality [team]", "数据质量 [团队]",
         "records to fix: missing amounts and dates, past close dates, stale deals, duplicate customers, "
         "reps with no update this week",
         "待修正的数据：缺金额或日期、成交日期已过、停滞商机、疑似重复客户、本周未更新的销售",
         read=read_quality, commands=(c.ShowQuality,),
         examples=("quality", "数据质量")),
    Verb("find", "搜索", ("search", "查找", "搜"), "find <words>", "搜索 <关键词>",
         "find deals, customers, contacts, follow-ups and chat messages",
         "搜索商机、客户、联系人、跟进和聊天消息",
         details_en=(
             "Parts of Chinese names (华为 finds 华为技术有限公司), English words and their beginnings "
             "(acm finds Acme), pinyin of names (huawei finds 华为), small typos (Acmee finds Acme), D-12.",
             "You see what you may open: a rep their own deals and those deals' customers and chats, "
             "a manager the team's, an admin everything.",),
         details_zh=(
             "可搜中文名称的一部分（华为 可找到 华为技术有限公司）、英文单词及其开头（acm 可找到 Acme）、"
             "名称的拼音（huawei 可找到 华为）、小的拼写错误（Acmee 可找到 Acme）和 D-12。",
             "只显示您有权查看的内容：销售看自己的商机及其客户和聊天，主管看本团队，管理员看全部。",),
         read=parser.read_find, commands=(c.Find,),
         examples=("find Acme", "find huawei", "搜索 华为", "find quote friday")),
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


def parse(text: str, ctx: parser.ParseContext) -> c.Command:
    """The command a message asks for; ParseError (with the verb, for its usage) if none."""
    text = parser.clean(text)
    if not text:
        return c.Help()
    verb_word, rest_at = _split_verb(text)
    verb = find_verb(parser.fold(verb_word))
    if verb is None and verb_word.isdigit() and text == verb_word:
        raise ParseError("err.no_button", value=verb_word[:20])  # the console clicks a button by its number
    if verb is None:
        raise ParseError("err.unknown_verb", word=verb_word[:40], suggestion=suggest_verb(parser.fold(verb_word)))
    return verb.read(parser.Args(text, rest_at, verb.key, ctx))


def _split_verb(text: str) -> tuple[str, int]:
    first = text.split(maxsplit=1)[0]
    if find_verb(parser.fold(first)) is None:
        for prefix in ZH_PREFIXES:
            if first.startswith(prefix):
                return prefix, len(prefix)
    return first, len(first)


def suggest_verb(word: str) -> str | None:
    """The verb name nearest to a mistyped word, English or Chinese (`wn` → won, `帮组` → 帮助,
    `推近` → 推进): at most one edit away (two for words of five letters or more), a swap of
    two neighbours counting as one. Ties go to a verb's own names before its aliases."""
    word = word.casefold()
    if len(word) < 2:
        return None
    limit = 2 if len(word) >= 5 and word.isascii() else 1
    best: tuple[int, int, str] | None = None
    for rank, name in enumerate(_SUGGESTIBLE):
        distance = edit_distance(word, name, limit)
        if distance <= limit and (best is None or (distance, rank) < best[:2]):
            best = (distance, rank, name)
    return best[2] if best else None


# Each verb's own names first, then the aliases: the order breaks ties between equal distances.
_SUGGESTIBLE = [n.casefold() for v in VERBS for n in (v.key, v.zh)] + [
    a.casefold() for v in VERBS for a in v.aliases if len(a) > 1]


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insert, delete, replace, swap neighbours); any
    distance over `limit` comes back as limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before, row = None, list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (char_a != char_b))
            if before is not None and i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
        if min(row) > limit:
            return limit + 1
    return min(row[-1], limit + 1)
