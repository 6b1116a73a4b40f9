"""Every sentence the bot says, in English and Chinese (vocabulary: shared/GLOSSARY.md).

`t(key, lang, **params)` looks a sentence up; a missing key is a bug, caught by
tests/unit/test_i18n.py, which checks that both languages have every key and the same fields.
"""

from __future__ import annotations

import re

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")


def detect_language(text: str, fallback: str) -> str:
    """zh when the text holds Chinese characters, en when it holds Latin letters, else fallback."""
    if _CJK.search(text):
        return "zh"
    if _LATIN.search(text):
        return "en"
    return fallback


def t(key: str, lang: str, **params: object) -> str:
    entry = MESSAGES[key]
    return entry["zh" if lang == "zh" else "en"].format(**params)


MESSAGES: dict[str, dict[str, str]] = {
    # -- errors: parsing ------------------------------------------------------------------------
    "err.unknown_verb": {
        "en": "I don't know the command “{word}”.",
        "zh": "没有“{word}”这个命令。",
    },
    "err.did_you_mean": {"en": "Did you mean “{suggestion}”?", "zh": "您是不是想用“{suggestion}”？"},
    "err.missing_arg": {"en": "Missing {what}.", "zh": "缺少{what}。"},
    "err.bad_deal_ref": {
        "en": "“{value}” is not a deal id; deal ids look like D-12.",
        "zh": "“{value}”不是商机编号，商机编号形如 D-12。",
    },
    "err.bad_task_ref": {
        "en": "“{value}” is not a task id; task ids look like T-7.",
        "zh": "“{value}”不是任务编号，任务编号形如 T-7。",
    },
    "err.unknown_stage": {"en": "There is no stage “{value}”.", "zh": "没有“{value}”这个阶段。"},
    "err.stages_are": {"en": "Stages: {stages}.", "zh": "可用阶段：{stages}。"},
    "err.bad_amount": {
        "en": "“{value}” is not an amount. Try 50000, 50k, 5万, ¥12,000 or $3.5k.",
        "zh": "“{value}”不是有效金额。可以写 50000、5万、¥12,000 或 $3.5k。",
    },
    "err.bad_date": {
        "en": "I can't read “{value}” as a date. Try tomorrow, next Friday, in 3 days or 2026-03-15.",
        "zh": "无法识别日期“{value}”。可以写 明天、下周五、3天后 或 3月15日。",
    },
    "err.past_date": {
        "en": "{when} is in the past; give a date from now on.",
        "zh": "{when} 已经过去了，请给出今天以后的日期。",
    },
    "err.bad_name": {
        "en": "“{value}” can't be used as a name: use letters, digits, spaces and . , & ' ( ) - / + only, at most 100 characters.",
        "zh": "“{value}”不能用作名称：只能包含文字、数字、空格和 . , & ' ( ) - / +，最多 100 个字符。",
    },
    "err.bad_handle": {
        "en": "“{value}” is not a user; write @name.",
        "zh": "“{value}”不是有效的用户，请写成 @用户名。",
    },
    "err.bad_option": {
        "en": "“{option}” is not an option of {command}.",
        "zh": "{command} 命令没有“{option}”这个选项。",
    },
    "err.extra_args": {
        "en": "I don't know what to do with “{text}”.",
        "zh": "无法理解“{text}”。",
    },
    "err.too_long": {
        "en": "That message is too long ({length} characters; the limit is {limit}).",
        "zh": "消息太长（{length} 个字符，上限为 {limit}）。",
    },
    "err.unclosed_quote": {
        "en": "A quote is not closed: close it with ” or \".",
        "zh": "引号没有闭合，请补上 ” 或 \"。",
    },
    "err.bad_link_code": {
        "en": "A link code is 8 digits: send “me link” on your first platform to get one.",
        "zh": "绑定验证码为 8 位数字：请先在原平台发送“我 绑定”获取。",
    },
    "err.link_code_unknown": {
        "en": "That link code is wrong or has expired; send “me link” again for a new one.",
        "zh": "验证码错误或已过期，请重新发送“我 绑定”获取新的验证码。",
    },
    "err.link_same": {
        "en": "This account is already {member}.",
        "zh": "此账号已经是 {member}。",
    },
    "err.bad_language": {"en": "Languages: en, zh.", "zh": "可选语言：en（英文）、zh（中文）。"},
    "err.bad_timezone": {
        "en": "“{value}” is not a time zone; use a name like Asia/Shanghai or Europe/Berlin.",
        "zh": "“{value}”不是有效的时区，请使用 Asia/Shanghai 这样的名称。",
    },
    "err.bad_role": {
        "en": "“{value}” is not a role; roles: rep, manager, admin.",
        "zh": "“{value}”不是有效角色；可选：rep（销售）、manager（主管）、admin（管理员）。",
    },
    "err.bad_deliverable": {
        "en": "{deal} has no deliverable {value} in its stage {stage}; it has {count}.",
        "zh": "{deal} 当前阶段“{stage}”没有第 {value} 项输出物（共 {count} 项）。",
    },
    # -- errors: state and permissions -------------------------------------------------------------
    "err.deal_not_found": {"en": "There is no deal {ref}.", "zh": "没有找到商机 {ref}。"},
    "err.task_not_found": {"en": "There is no task {ref}.", "zh": "没有找到任务 {ref}。"},
    "err.member_not_found": {
        "en": "I don't know @{handle} yet: they appear once they have written to me.",
        "zh": "还没有 @{handle} 这个成员：对方给我发过消息后才会出现。",
    },
    "err.team_not_found": {"en": "There is no team “{name}”.", "zh": "没有“{name}”这个团队。"},
    "err.team_exists": {"en": "Team “{name}” already exists.", "zh": "团队“{name}”已存在。"},
    "err.same_stage": {"en": "{deal} is already in {stage}.", "zh": "{deal} 已经处于“{stage}”阶段。"},
    "err.no_next_stage": {
        "en": "{deal} is closed; move it to a stage by name to reopen it.",
        "zh": "{deal} 已关闭；如需重新打开，请指定要推进到的阶段名称。",
    },
    "err.move_to_lost": {
        "en": "To lose a deal, give the reason: lost {deal} <reason>.",
        "zh": "丢单需要填写原因：丢单 {deal} <原因>。",
    },
    "err.already_closed": {
        "en": "{deal} is already {status}.",
        "zh": "{deal} 已经是{status}状态。",
    },
    "err.task_done": {"en": "{task} is already done.", "zh": "{task} 已经完成。"},
    "err.forbidden_deal": {
        "en": "No permission: {deal} belongs to @{owner}. You can change your own deals; ask @{owner} or a manager.",
        "zh": "无权限：{deal} 的负责人是 @{owner}。您只能修改自己的商机，请联系 @{owner} 或主管。",
    },
    "err.forbidden_view": {
        "en": "No permission: {deal} belongs to another team.",
        "zh": "无权限：{deal} 属于其他团队。",
    },
    "err.forbidden_task": {
        "en": "No permission: {task} is assigned to @{owner}. You can complete your own tasks.",
        "zh": "无权限：{task} 的负责人是 @{owner}，您只能完成自己的任务。",
    },
    "err.forbidden_assign": {
        "en": "No permission: only a manager can give deals or tasks to someone else. Leave out @{handle} to keep it yourself.",
        "zh": "无权限：只有主管可以把商机或任务分配给他人。去掉 @{handle} 即由您自己负责。",
    },
    "err.forbidden_history": {
        "en": "No permission: the history of a deal is for managers and admins. You can see the card: show {deal}.",
        "zh": "无权限：商机操作日志仅主管和管理员可查看。您可以查看商机卡片：查看 {deal}。",
    },
    "err.forbidden_admin": {
        "en": "No permission: {command} is for admins.",
        "zh": "无权限：{command} 仅限管理员使用。",
    },
    "err.internal": {
        "en": "Sorry, something went wrong on my side and nothing was changed. Please try again.",
        "zh": "抱歉，系统出错了，本次操作没有生效，请稍后重试。",
    },
    "cmd.handled_before": {
        "en": "Already done: this message reached me a second time (a platform redelivery), so it was not run again.",
        "zh": "该指令此前已执行：平台重复投递了这条消息，本次未再次执行。",
    },
    "err.usage": {"en": "Usage: {usage}", "zh": "用法：{usage}"},
    # -- what the argument names are called in "Missing …" ---------------------------------------
    "arg.customer": {"en": "the customer", "zh": "客户名称"},
    "arg.deal": {"en": "the deal id (D-12)", "zh": "商机编号（如 D-12）"},
    "arg.task": {"en": "the task id (T-7)", "zh": "任务编号（如 T-7）"},
    "arg.stage": {"en": "the stage", "zh": "阶段"},
    "arg.reason": {"en": "the lost reason", "zh": "丢单原因"},
    "arg.text": {"en": "the text", "zh": "内容"},
    "arg.title": {"en": "what the task is", "zh": "任务内容"},
    "arg.name": {"en": "the name", "zh": "名称"},
    "arg.member": {"en": "the member (@name)", "zh": "成员（@用户名）"},
    "arg.value": {"en": "the value", "zh": "取值"},
    "arg.item": {"en": "the deliverable number", "zh": "输出物序号"},
    # -- deal cards and lists --------------------------------------------------------------------
    "card.stage_within": {"en": "{stage} · day {days} of {sla}", "zh": "{stage} · 第 {days} 天（阶段时限 {sla} 天）"},
    "card.stage_over": {
        "en": "{stage} · {days} days, {over} over the {sla}-day limit",
        "zh": "{stage} · 已 {days} 天，超出阶段时限（{sla} 天）{over} 天",
    },
    "card.deal_line": {
        "en": "{deal} {customer} · {stage} · {amount} · {owner} · {days}d in stage",
        "zh": "{deal} {customer} · {stage} · {amount} · {owner} · 本阶段 {days} 天",
    },
    "card.due": {"en": "due {when}", "zh": "截止 {when}"},
    "card.overdue": {"en": "overdue since {when}", "zh": "已逾期（截止 {when}）"},
    "card.done_at": {"en": "done {when}", "zh": "完成于 {when}"},
    "card.deliverables": {"en": "Deliverables of {stage}:", "zh": "“{stage}”阶段输出物："},
    "card.open_tasks": {"en": "Open tasks ({count}):", "zh": "待办任务（{count}）："},
    "card.recent": {"en": "Last follow-ups ({count}):", "zh": "最近跟进（{count}）："},
    "kind.note": {"en": "", "zh": ""},
    "kind.call": {"en": "call: ", "zh": "电话："},
    "kind.meeting": {"en": "meeting: ", "zh": "会议："},
    "kind.email": {"en": "email: ", "zh": "邮件："},
    "kind.message": {"en": "", "zh": ""},
    "field.stage": {"en": "Stage", "zh": "阶段"},
    "field.amount": {"en": "Amount", "zh": "金额"},
    "field.owner": {"en": "Owner", "zh": "负责人"},
    "field.close": {"en": "Expected close", "zh": "预计成交日期"},
    "field.status": {"en": "Status", "zh": "状态"},
    "status.open": {"en": "open", "zh": "进行中"},
    "status.won": {"en": "won", "zh": "赢单"},
    "status.lost": {"en": "lost", "zh": "丢单"},
    "status.won_on": {"en": "won on {when}", "zh": "{when} 赢单"},
    "status.lost_on": {"en": "lost on {when}: {reason}", "zh": "{when} 丢单：{reason}"},
    "button.next": {"en": "→ {stage}", "zh": "推进到{stage}"},
    "button.tasks": {"en": "Tasks", "zh": "待办"},
    "button.history": {"en": "History", "zh": "操作日志"},
    "button.done": {"en": "Done", "zh": "完成"},
    "list.more": {"en": "… and {count} more: narrow it with {command}", "zh": "…… 还有 {count} 条，可用 {command} 缩小范围"},
    "deals.title": {"en": "Open deals ({count})", "zh": "进行中的商机（{count}）"},
    "deals.none": {"en": "No deals here yet. Create one: new <customer> [amount]", "zh": "暂无商机。新建商机：新建 <客户> [金额]"},
    "history.title": {"en": "History of {deal}", "zh": "{deal} 操作日志"},
    "history.system": {"en": "system", "zh": "系统"},
    # -- deal changes ---------------------------------------------------------------------------
    "deal.created": {"en": "Created {deal} for {customer}.", "zh": "已新建商机 {deal}（{customer}）。"},
    "deal.moved": {"en": "{deal} moved: {old} → {new}.", "zh": "{deal} 已推进：{old} → {new}。"},
    "deal.reopened": {"en": "{deal} was closed and is open again.", "zh": "{deal} 已重新打开。"},
    "deal.unchecked": {
        "en": "⚠ Left {stage} with {count} deliverable(s) unchecked: {items}.",
        "zh": "⚠ “{stage}”阶段还有 {count} 项输出物未完成：{items}。",
    },
    "deal.skipped": {"en": "Skipped: {stages}.", "zh": "跳过了：{stages}。"},
    "deal.moved_back": {"en": "Moved back to an earlier stage.", "zh": "已退回到之前的阶段。"},
    "deal.checked": {"en": "{deal}: ☑ {item}", "zh": "{deal}：☑ {item}"},
    "deal.won": {"en": "🎉 {deal} won ({amount}).", "zh": "🎉 {deal} 赢单（{amount}）。"},
    "deal.lost": {"en": "{deal} lost: {reason}", "zh": "{deal} 丢单，原因：{reason}"},
    "deal.lost_ask": {
        "en": "Why was {deal} lost? Tap a reason, or send “lost {deal} <reason>”.",
        "zh": "{deal} 丢单的原因是什么？点选一个，或发送“丢单 {deal} <原因>”。",
    },
    "deal.lost_reasons": {
        "en": "price too high|went with a competitor|no budget|bad timing|customer went silent",
        "zh": "价格太高|选择了竞争对手|没有预算|时机不对|客户失联",
    },
    "deal.log_ask": {
        "en": "What happened on {deal}? Send “log {deal} <what happened, next step and date>”, "
              "e.g. “log {deal} call: liked the demo, send the quote by Friday”.",
        "zh": "{deal} 有什么进展？发送“跟进 {deal} <发生了什么、下一步和时间>”，"
              "例如“跟进 {deal} 电话：演示反馈不错，周五前发报价”。",
    },
    "deal.logged": {"en": "Follow-up logged on {deal}.", "zh": "已记录 {deal} 的跟进。"},
    # -- tasks ----------------------------------------------------------------------------------
    "task.created": {"en": "Task {task}: {title}", "zh": "已新建任务 {task}：{title}"},
    "task.created_from_log": {"en": "Next step → task {task}, due {when}", "zh": "下一步已生成任务 {task}，截止 {when}"},
    "task.due": {"en": "Due {when}", "zh": "截止 {when}"},
    "task.assigned": {"en": "Assigned to {member}", "zh": "负责人：{member}"},
    "task.completed": {"en": "✓ {task} done: {title}", "zh": "✓ 已完成 {task}：{title}"},
    "tasks.title_mine": {"en": "Your open tasks ({count})", "zh": "我的待办（{count}）"},
    "tasks.title_overdue": {"en": "Your overdue tasks ({count})", "zh": "我的逾期任务（{count}）"},
    "tasks.title_team": {"en": "Team's open tasks ({count})", "zh": "团队待办（{count}）"},
    "tasks.title_deal": {"en": "Open tasks of {deal} ({count})", "zh": "{deal} 的待办（{count}）"},
    "tasks.none": {"en": "Nothing to do here.", "zh": "暂无待办。"},
    # -- people and teams -----------------------------------------------------------------------
    "role.rep": {"en": "rep", "zh": "销售"},
    "role.manager": {"en": "manager", "zh": "主管"},
    "role.admin": {"en": "admin", "zh": "管理员"},
    "me.title": {"en": "You are {member}", "zh": "您是 {member}"},
    "me.role": {"en": "Role: {role}, team {team}", "zh": "角色：{role}，团队：{team}"},
    "me.language": {"en": "Language: {language}", "zh": "语言：{language}"},
    "me.auto": {"en": "as you write", "zh": "跟随输入语言"},
    "me.timezone": {"en": "Time zone: {tz}", "zh": "时区：{tz}"},
    "me.platforms": {"en": "Accounts: {platforms}", "zh": "已绑定账号：{platforms}"},
    "me.language_set": {"en": "I'll answer you in English.", "zh": "好的，之后用中文回复您。"},
    "me.timezone_set": {"en": "Your time zone is now {tz}.", "zh": "时区已设置为 {tz}。"},
    "team.list": {"en": "Teams ({count})", "zh": "团队（{count}）"},
    "team.line": {"en": "{name} · {tz} · {language} · {members} members", "zh": "{name} · {tz} · {language} · {members} 人"},
    "team.created": {"en": "Team {name} created ({tz}).", "zh": "已新建团队 {name}（{tz}）。"},
    "member.list": {"en": "Members of {team} ({count})", "zh": "{team} 成员（{count}）"},
    "member.updated": {"en": "{member} is now {role} in {team}.", "zh": "{member} 现为 {team} 的{role}。"},
    "link.code": {
        "en": "Your link code is {code}. Within {minutes} minutes, send “me link {code}” to me from your other platform account.",
        "zh": "您的绑定验证码是 {code}。请在 {minutes} 分钟内用另一个平台的账号向我发送“我 绑定 {code}”。",
    },
    "link.done": {
        "en": "Linked: this {platform} account is now {member}; your deals and tasks are one.",
        "zh": "绑定成功：此 {platform} 账号已与 {member} 合并，商机和任务已统一。",
    },
    # -- reminders, daily cards and scorecards (core.notices) -----------------------------------
    "notice.sla": {
        "en": "⏰ {deal} {customer} has been in {stage} for {days} days, {over} over its {sla}-day limit.",
        "zh": "⏰ {deal} {customer} 已在“{stage}”阶段停留 {days} 天，超出阶段时限（{sla} 天）{over} 天。",
    },
    "notice.sla_hint": {
        "en": "Move it on, log what happened, or snooze the reminder.",
        "zh": "请推进商机、记录跟进，或稍后提醒。",
    },
    "notice.escalation": {
        "en": "⚠ {deal} {customer} ({owner}) has been in {stage} for {days} days, {over} over its {sla}-day limit.",
        "zh": "⚠ 升级提醒：{deal} {customer}（负责人 {owner}）已在“{stage}”阶段停留 {days} 天，超出阶段时限（{sla} 天）{over} 天。",
    },
    "notice.escalation_hint": {
        "en": "The owner was reminded and the deal has not moved since.",
        "zh": "已提醒负责人，商机仍未推进。",
    },
    "notice.task_due": {"en": "⏰ Task {task} is due: {title}", "zh": "⏰ 任务 {task} 已到截止时间：{title}"},
    "notice.task_lead": {"en": "⏰ Task {task} is due {when}: {title}", "zh": "⏰ 任务 {task} 将于 {when} 截止：{title}"},
    "notice.task_again": {"en": "⏰ Reminder, task {task}: {title}", "zh": "⏰ 再次提醒，任务 {task}：{title}"},
    "notice.task_deal": {"en": "Deal: {deal} {customer}", "zh": "商机：{deal} {customer}"},
    "notice.daily": {"en": "Daily progress · {date}", "zh": "每日进度 · {date}"},
    "notice.daily_over": {"en": "Over the stage limit ({count}):", "zh": "超出阶段时限（{count}）："},
    "notice.daily_untouched": {"en": "Not touched today ({count}):", "zh": "今日未跟进（{count}）："},
    "notice.daily_overdue": {"en": "Overdue tasks ({count}):", "zh": "逾期任务（{count}）："},
    "notice.daily_hint": {
        "en": "Log a follow-up or move each deal on: log D-12 … / move D-12 next",
        "zh": "请记录跟进或推进商机：跟进 D-12 … / 推进 D-12 下一步",
    },
    "button.log": {"en": "Log follow-up", "zh": "记录跟进"},
    "button.snooze_day": {"en": "Snooze 1 day", "zh": "推迟 1 天"},
    "button.snooze_days": {"en": "Snooze {days} days", "zh": "推迟 {days} 天"},
    "button.lost": {"en": "Mark lost", "zh": "标记丢单"},
    "button.show": {"en": "Open {deal}", "zh": "查看 {deal}"},
    "digest.weekly_title": {"en": "Weekly scorecard · {team} · {period}", "zh": "周报 · {team} · {period}"},
    "digest.daily_title": {"en": "Daily summary · {team} · {period}", "zh": "日报 · {team} · {period}"},
    "digest.new": {"en": "New deals: {count}", "zh": "新增商机：{count}"},
    "digest.won": {"en": "Won: {count} ({amount})", "zh": "赢单：{count}（{amount}）"},
    "digest.lost": {"en": "Lost: {count}", "zh": "丢单：{count}"},
    "digest.win_rate": {"en": "Win rate: {rate}", "zh": "赢单率：{rate}"},
    "digest.moves": {"en": "Stage advances: {count}", "zh": "阶段推进：{count} 次"},
    "digest.open": {"en": "Open pipeline: {count} deals, {amount}", "zh": "进行中：{count} 个商机，{amount}"},
    "digest.stale": {"en": "Stalled deals: {count}", "zh": "停滞商机：{count}"},
    "digest.overdue": {"en": "Overdue tasks: {count}", "zh": "逾期任务：{count}"},
    "digest.missing": {
        "en": "Funnel, forecast and the chart are not available yet.",
        "zh": "销售漏斗、业绩预测和图表暂未提供。",
    },
    "digest.weekly": {"en": "weekly scorecard", "zh": "周报"},
    "digest.daily": {"en": "daily summary", "zh": "日报"},
    "digest.when_weekly": {"en": "Mondays {time}, {tz}", "zh": "每周一 {time}（{tz}）"},
    "digest.when_daily": {"en": "working days {time}, {tz}", "zh": "工作日 {time}（{tz}）"},
    "digest.subscribed": {
        "en": "This chat gets the {what} of {team} ({when}).",
        "zh": "本群将收到{team}的{what}（{when}）。",
    },
    "digest.list": {"en": "This chat gets: {items}", "zh": "本群已订阅：{items}"},
    "digest.none": {
        "en": "This chat gets no scorecards. Subscribe it: digest here weekly",
        "zh": "本群未订阅推送。订阅：推送 本群 每周",
    },
    "digest.stopped": {"en": "This chat gets no more scorecards.", "zh": "本群已取消周报和日报推送。"},
    "err.digest_no_push": {
        "en": "I can't post here on my own: scorecards go to Slack, Telegram or DingTalk chats.",
        "zh": "无法主动向此会话推送：周报只能发送到 Slack、Telegram 或钉钉会话。",
    },
    "err.forbidden_digest": {
        "en": "No permission: managers and admins choose which chats get scorecards. You can see the figures: deals",
        "zh": "无权限：只有主管和管理员可以设置群推送。您可以查看商机列表：商机",
    },
    # -- snooze ---------------------------------------------------------------------------------
    "snooze.deal": {
        "en": "Snoozed {deal} until {when}: no reminders about it until then.",
        "zh": "已推迟 {deal} 的提醒至 {when}，在此之前不再提醒。",
    },
    "snooze.task": {"en": "Snoozed {task} until {when}.", "zh": "已推迟任务 {task} 的提醒至 {when}。"},
    "err.bad_ref": {
        "en": "“{value}” is not a deal or task id; ids look like D-12 or T-7.",
        "zh": "“{value}”不是商机或任务编号，编号形如 D-12 或 T-7。",
    },
    "err.bad_snooze": {
        "en": "“{value}” is not a snooze time; try 2d, 4h, 1w or a date such as next Monday.",
        "zh": "无法识别推迟时间“{value}”，可以写 2天、4小时、1周 或 下周一。",
    },
    "err.snooze_too_long": {"en": "Snooze for at most {days} days.", "zh": "最多推迟 {days} 天。"},
    "arg.target": {"en": "the deal or task id (D-12 or T-7)", "zh": "商机或任务编号（如 D-12、T-7）"},
    # -- figures: scorecard, funnel, forecast (core.services.analytics) ---------------------------
    "figures.scorecard_title": {"en": "Scorecard · {team} · {period} ({dates})", "zh": "周报 · {team} · {period}（{dates}）"},
    "figures.totals": {
        "en": "New deals {new} · won {won} ({amount}) · lost {lost}",
        "zh": "新增商机 {new} · 赢单 {won}（{amount}）· 丢单 {lost}",
    },
    "figures.rates": {"en": "Win rate {rate} · average deal cycle {cycle}", "zh": "赢单率 {rate} · 平均成交周期 {cycle}"},
    "figures.days": {"en": "{days} days", "zh": "{days} 天"},
    "figures.other_currencies": {
        "en": "Won in other currencies (not in the amounts above): {amounts}",
        "zh": "其他币种赢单（未计入以上金额）：{amounts}",
    },
    "figures.funnel_head": {
        "en": "Funnel of the {count} deals created in {period}:",
        "zh": "{period} 新建的 {count} 个商机的销售漏斗：",
    },
    "figures.reps_head": {"en": "Per rep:", "zh": "人均产出："},
    "figures.rep_line": {
        "en": "{member}: {new} new · {advances} advances · {won} won ({amount}) · {logged} follow-ups · {overdue} overdue tasks",
        "zh": "{member}：新增 {new} · 推进 {advances} 次 · 赢单 {won}（{amount}）· 跟进 {logged} 次 · 逾期任务 {overdue}",
    },
    "figures.stale_head": {"en": "Stalled deals ({count}):", "zh": "停滞商机（{count}）："},
    "figures.stale_line": {
        "en": "{deal} {stage} · {days} days (limit {sla})",
        "zh": "{deal} {stage} · 已 {days} 天（阶段时限 {sla} 天）",
    },
    "figures.first_response": {
        "en": "First response to customers in linked chats (median, working time): {median}",
        "zh": "绑定群客户消息首次响应时长（中位数，工作时间）：{median}",
    },
    "figures.first_response_none": {
        "en": "First response time: no customer message in a linked chat was answered this period.",
        "zh": "首次响应时长：本时段绑定群里没有已回复的客户消息。",
    },
    "figures.first_response_rep": {
        "en": "  {member}: {median} ({count} answered)",
        "zh": "  {member}：{median}（回复 {count} 条）",
    },
    "figures.funnel_title": {"en": "Funnel · {team} · {period} ({dates})", "zh": "销售漏斗 · {team} · {period}（{dates}）"},
    "figures.funnel_empty": {"en": "No deals were created in this period.", "zh": "该时段没有新建商机。"},
    "figures.funnel_overall": {"en": "{rate} of them were won.", "zh": "其中 {rate} 已赢单。"},
    "figures.forecast_title": {"en": "Forecast · {team} · {period} ({dates})", "zh": "业绩预测 · {team} · {period}（{dates}）"},
    "figures.forecast_sum": {
        "en": "Expected: {expected} from {count} open deals worth {pipeline}",
        "zh": "预计成交：{expected}（{count} 个进行中商机，总金额 {pipeline}）",
    },
    "figures.forecast_won": {"en": "Already won in the period: {amount}", "zh": "本时段已赢单：{amount}"},
    "figures.forecast_deal": {
        "en": "{deal} {stage} · {amount} · {probability} · close {close}",
        "zh": "{deal} {stage} · {amount} · 赢单概率 {probability} · 预计成交 {close}",
    },
    "figures.forecast_none": {
        "en": "No open deals are expected to close in this period.",
        "zh": "该时段没有预计成交的进行中商机。",
    },
    "figures.forecast_other": {
        "en": "Open deals in other currencies (not forecast): {amounts}",
        "zh": "其他币种的进行中商机（未计入预测）：{amounts}",
    },
    "winprob.reason": {
        "en": "{stage}: {moved} of {count} deals that left this stage moved on",
        "zh": "{stage}：离开该阶段的 {count} 个商机中 {moved} 推进到了下一阶段",
    },
    "winprob.no_history": {
        "en": "{stage}: no history here yet, so the stage's default",
        "zh": "{stage}：暂无历史数据，采用阶段默认值",
    },
    "winprob.over": {"en": "{days} days over the {sla}-day limit here", "zh": "超出阶段时限（{sla} 天）{days} 天"},
    "winprob.over_one": {"en": "a day over the {sla}-day limit here", "zh": "超出阶段时限（{sla} 天）1 天"},
    "field.win_probability": {"en": "Win probability", "zh": "赢单概率"},
    "button.funnel": {"en": "Funnel", "zh": "销售漏斗"},
    "button.forecast": {"en": "Forecast", "zh": "业绩预测"},
    "button.stale": {"en": "Stalled deals", "zh": "停滞商机"},
    "button.scorecard": {"en": "Scorecard", "zh": "周报"},
    "chart.funnel": {"en": "Funnel", "zh": "销售漏斗"},
    "chart.trend": {"en": "Last {weeks} weeks", "zh": "近 {weeks} 周"},
    "chart.won_amount": {"en": "Won amount", "zh": "赢单金额"},
    "chart.win_rate": {"en": "Win rate", "zh": "赢单率"},
    "chart.reps": {"en": "Won amount per rep", "zh": "人均赢单金额"},
    "err.forbidden_team": {
        "en": "No permission: the figures of {team} are for its members and admins. Your team's: {command}",
        "zh": "无权限：{team} 的数据仅限本团队成员和管理员查看。查看本团队：{command}",
    },
    "err.bad_period": {
        "en": "“{value}” is not a period: try last week, this week, 2026-W10, this month, last month, Q3 or 2026-03 (a team whose name has digits: team:<name>).",
        "zh": "无法识别时段“{value}”：可以写 上周、本周、2026-W10、本月、上个月、Q3、本季度 或 2026-03（团队名含数字时写 团队:<名称>）。",
    },
    # -- conversation capture: link, unlink, capture (core.services.chats) ------------------------
    "chat.linked_deal": {
        "en": "🔴 This chat is now recorded into {deal} ({customer} — {title}): every message sent here from now on is saved to the deal's timeline. {who} can stop it: “capture off” pauses, “unlink” stops for good.",
        "zh": "🔴 本群消息将记录到商机 {deal}（{customer} — {title}）：从现在起群内每条消息都会保存到该商机的跟进记录。{who}可以停止：“记录 关”暂停，“解绑”永久停止。",
    },
    "chat.linked_customer": {
        "en": "🔴 This chat is now recorded for the customer {customer}: every message sent here from now on is saved to the customer's timeline. {who} can stop it: “capture off” pauses, “unlink” stops for good.",
        "zh": "🔴 本群消息将记录到客户 {customer}：从现在起群内每条消息都会保存到该客户的跟进记录。{who}可以停止：“记录 关”暂停，“解绑”永久停止。",
    },
    "chat.who_deal": {
        "en": "The deal's owner {owner}, managers and admins",
        "zh": "商机负责人 {owner}、主管和管理员",
    },
    "chat.who_customer": {
        "en": "The owners of {customer}'s deals, managers and admins",
        "zh": "{customer} 商机的负责人、主管和管理员",
    },
    "chat.already_linked": {
        "en": "This chat is already recorded into {target}.",
        "zh": "本群已绑定到 {target}，消息正在记录中。",
    },
    "chat.unlinked": {
        "en": "This chat is no longer recorded. Messages saved so far stay on {target}.",
        "zh": "已解绑，本群消息不再记录。已保存的消息仍保留在 {target}。",
    },
    "chat.capture_off": {
        "en": "⏸ Recording paused: messages in this chat are not saved until someone turns it back on (“capture on”). Still linked to {target}.",
        "zh": "⏸ 已暂停会话记录：在重新开启（“记录 开”）之前，本群消息不会保存。本群仍绑定 {target}。",
    },
    "chat.capture_on": {
        "en": "🔴 Recording again: every message in this chat is saved to {target}.",
        "zh": "🔴 已恢复会话记录：本群每条消息都会保存到 {target}。",
    },
    "chat.status_on": {
        "en": "This chat is recorded into {target}, linked by {member} on {when}. Recording is on.",
        "zh": "本群已绑定 {target}（{member} 于 {when} 绑定），会话记录已开启。",
    },
    "chat.status_off": {
        "en": "This chat is linked to {target} by {member} on {when}, but recording is paused (“capture on” resumes it).",
        "zh": "本群已绑定 {target}（{member} 于 {when} 绑定），会话记录已暂停（“记录 开”恢复）。",
    },
    "chat.status_none": {
        "en": "This chat is not recorded. To record it into a deal: link D-12",
        "zh": "本群未绑定，消息不会被记录。绑定到商机：绑定 D-12",
    },
    "chat.target_customer": {"en": "the customer {customer}", "zh": "客户 {customer}"},
    "chat.contact": {"en": "{name} (contact)", "zh": "{name}（联系人）"},
    "err.link_needs_group": {
        "en": "“link” records a group chat: send it in the customer's group chat on Slack, Telegram or DingTalk. To link your own accounts on two platforms, use “me link”.",
        "zh": "“绑定”用于记录群聊：请在 Slack、Telegram 或钉钉的客户群里发送。要绑定您在两个平台的账号，请用“我 绑定”。",
    },
    "err.capture_needs_group": {
        "en": "Only group chats on Slack, Telegram or DingTalk are recorded; this chat never is.",
        "zh": "只有 Slack、Telegram 或钉钉的群聊可以记录，此会话不会被记录。",
    },
    "err.link_code_here": {
        "en": "To link your accounts with a code, send “me link {code}” to me in a direct chat.",
        "zh": "用验证码绑定账号，请私聊我发送“我 绑定 {code}”。",
    },
    "err.chat_linked_elsewhere": {
        "en": "This chat is already recorded into {target}; one chat records into one deal or customer. Send “unlink” first.",
        "zh": "本群已绑定 {target}，一个群只能绑定一个商机或客户。请先发送“解绑”。",
    },
    "err.chat_not_linked": {
        "en": "This chat is not linked to any deal or customer.",
        "zh": "本群未绑定任何商机或客户。",
    },
    "err.customer_not_found": {
        "en": "There is no customer “{name}” in your team.",
        "zh": "您的团队中没有客户“{name}”。",
    },
    "err.forbidden_capture": {
        "en": "No permission: {target}'s owner, managers and admins decide what is recorded. You can see the status: capture status",
        "zh": "无权限：只有 {target} 的负责人、主管和管理员可以设置会话记录。您可以查看状态：记录 状态",
    },
    "err.bad_capture": {
        "en": "“{value}” is not on, off or status.",
        "zh": "无法识别“{value}”，请写 开、关 或 状态。",
    },
    "arg.link_target": {"en": "the deal id or customer (D-12 or customer:<name>)", "zh": "商机编号或客户（D-12 或 客户:<名称>）"},
    # -- next steps found in captured chat (core.suggestions, core.services.suggestions) -------
    "suggest.title": {"en": "Next step spotted in {deal} · {customer}", "zh": "{deal} · {customer}：发现下一步"},
    "suggest.title_customer": {"en": "Next step spotted with {customer}", "zh": "客户 {customer}：发现下一步"},
    "suggest.said": {"en": "{author} in the linked chat: “{text}”", "zh": "{author} 在绑定群里说：“{text}”"},
    "suggest.due": {"en": "Due {when}", "zh": "截止 {when}"},
    "suggest.ask": {"en": "Keep it as a task?", "zh": "是否保留为任务？"},
    "button.keep": {"en": "Keep", "zh": "保留"},
    "button.dismiss": {"en": "Dismiss", "zh": "忽略"},
    "suggest.kept": {"en": "Task {task} created from the chat: {title}", "zh": "已根据群聊创建任务 {task}：{title}"},
    "suggest.dismissed": {"en": "Dismissed {suggestion}; no task made.", "zh": "已忽略 {suggestion}，未创建任务。"},
    "suggest.already_kept": {
        "en": "{suggestion} was already kept as {task} ({when}); nothing changed.",
        "zh": "{suggestion} 已于 {when} 保留为任务 {task}，无需重复操作。",
    },
    "suggest.already_dismissed": {
        "en": "{suggestion} was already dismissed ({when}); nothing changed.",
        "zh": "{suggestion} 已于 {when} 忽略，无需重复操作。",
    },
    "err.suggestion_not_found": {"en": "There is no suggestion {ref}.", "zh": "没有找到建议 {ref}。"},
    "err.bad_suggestion_ref": {
        "en": "“{value}” is not a suggestion id; they look like S-3.",
        "zh": "“{value}”不是建议编号，建议编号形如 S-3。",
    },
    "err.forbidden_suggestion": {
        "en": "No permission: {ref} was offered to @{owner}; they, a manager or an admin can keep or dismiss it.",
        "zh": "无权限：{ref} 是给 @{owner} 的建议，可由其本人、主管或管理员保留或忽略。",
    },
    "err.suggestion_erased": {
        "en": "{ref} can no longer be kept: the message behind it was erased.",
        "zh": "{ref} 对应的消息已被删除，无法再保留。",
    },
    "arg.suggestion": {"en": "the suggestion id (S-3)", "zh": "建议编号（如 S-3）"},
    # -- customers waiting for an answer (core.waiting) --------------------------------------------
    "card.waiting": {
        "en": "⏳ Unanswered customer message, waiting {hours} of working time: {when} · {author} · {text}",
        "zh": "⏳ 客户消息尚未回复，已等待 {hours}（工作时间）：{when} · {author} · {text}",
    },
    "waiting.title": {
        "en": "{customer} has waited {hours} of working time for an answer in the linked chat of {where}",
        "zh": "{customer} 在 {where} 的绑定群里已等待回复 {hours}（工作时间）",
    },
    "waiting.since": {
        "en": "Their message came {when}; the team's limit is {limit}. Answer in the chat, or open the deal:",
        "zh": "客户消息发于 {when}，团队响应时限为 {limit}。请在群里回复，或查看商机：",
    },
    # -- privacy: forget, retention (core.services.privacy) ----------------------------------------
    "arg.person": {"en": "the person (@handle or a contact's name)", "zh": "要删除的人（@用户名 或联系人姓名）"},
    "err.forbidden_forget": {
        "en": "No permission: only admins can erase a person's data. Ask an admin to run “forget @person”.",
        "zh": "无权限：只有管理员可以删除个人数据，请联系管理员执行“忘记 @某人”。",
    },
    "err.person_not_found": {
        "en": "No member or recorded contact is called “{name}”.",
        "zh": "没有名为“{name}”的成员或联系人。",
    },
    "forget.member_done": {
        "en": "Erased {member}'s personal details (name, e-mail) and {count} recorded chat message(s).",
        "zh": "已删除 {member} 的个人信息（姓名、邮箱）和 {count} 条会话记录。",
    },
    "forget.contact_done": {
        "en": "Erased {contact}'s {count} recorded chat message(s) and their name on them.",
        "zh": "已删除联系人 {contact} 的 {count} 条会话记录及其姓名。",
    },
    "forget.audit_note": {
        "en": "The audit log notes that an erase happened, not what was erased.",
        "zh": "操作日志仅记录“执行了删除”，不记录被删除的内容。",
    },
    "forget.which": {
        "en": "{count} recorded contacts are called “{name}”; pick the one to erase:",
        "zh": "有 {count} 位联系人名为“{name}”，请选择要删除的一位：",
    },
    # -- help -----------------------------------------------------------------------------------
    "help.title": {"en": "What I can do:", "zh": "我可以帮您："},
    "help.examples": {
        "en": "Try: new Acme 50k · move D-1 next · log D-1 call: send quote by Friday · tasks",
        "zh": "试试：新建 华为 5万 · 推进 D-1 下一步 · 跟进 D-1 电话：下周三前发报价 · 待办",
    },
    "help.more": {"en": "help <verb> shows one command in detail.", "zh": "帮助 <命令> 查看某个命令的详细用法。"},
}
