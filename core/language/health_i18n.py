"""The sentences of the health board's verbs (core.services.health, core.services.feedback), in both
languages; core.language.i18n adds them to MESSAGES."""

from __future__ import annotations

HEALTH_MESSAGES: dict[str, dict[str, str]] = {
    # -- errors -----------------------------------------------------------------------------------
    "err.text_too_long": {"en": "{what} is too long: at most {limit} characters.",
                          "zh": "{what}太长，最多 {limit} 个字符。"},
    "err.csat_score": {"en": "“{value}” is not a score: give 1 to 5 (5 is very satisfied).",
                       "zh": "“{value}”不是有效评分：请给 1 到 5 分（5 分为非常满意）。"},
    "err.bad_complaint_ref": {"en": "“{value}” is not a complaint id; complaint ids look like C-3.",
                              "zh": "“{value}”不是投诉编号，投诉编号形如 C-3。"},
    "err.csat_comment_quoted": {"en": "Put the comment in quotes: csat {deal} {score} \"{value}\"",
                                "zh": "评价请加引号：满意度 {deal} {score} “{value}”"},
    "err.one_complaint": {"en": "One complaint at a time: resolve {first}, then resolve {second}.",
                          "zh": "一次只能解决一条投诉：先 解决 {first}，再 解决 {second}。"},
    "csat.replaced": {"en": "It replaces today's earlier score {before}/5 for {deal}.",
                      "zh": "已替换 {deal} 今天早些时候的评分 {before}/5。"},
    "err.complaint_no_deal": {
        "en": "There is no deal {ref}, so nothing was logged. Name an existing deal (your deals: deals) or the "
              "customer: complaint Acme \"what they said\"",
        "zh": "没有找到商机 {ref}，投诉未登记。请写现有的商机编号（查看商机：商机），或写客户名称：投诉 Acme “投诉内容”"},
    "err.complaint_whose": {
        "en": "“{value}” is not a deal or a customer: a complaint is logged on a deal (D-12) or a customer's name "
              "(quoted if it looks like an id).",
        "zh": "“{value}”不是商机或客户：投诉应登记在商机（如 D-12）或客户名称上（名称像编号时请加引号）。"},
    "err.complaint_not_found": {"en": "There is no complaint {code}.", "zh": "没有投诉 {code}。"},
    "err.forbidden_complaint": {
        "en": "No permission: {code} about {customer} is resolved by whoever logged it, the customer's owner "
              "or a manager.",
        "zh": "无权限：关于 {customer} 的投诉 {code} 只能由登记人、客户负责人或主管标为已解决。"},
    "err.complaint_resolved": {"en": "{code} is already resolved.", "zh": "{code} 已经解决了。"},
    "arg.complaint_text": {"en": "what the customer complained about", "zh": "投诉内容"},
    "arg.comment": {"en": "the comment", "zh": "评价"},
    "arg.resolution": {"en": "the resolution", "zh": "处理说明"},
    "arg.complaint": {"en": "the complaint id (C-3)", "zh": "投诉编号（如 C-3）"},
    # -- satisfaction -----------------------------------------------------------------------------
    "csat.ask": {"en": "How satisfied is {customer} with {deal}? Ask them, then tap their answer (1–5).",
                 "zh": "{customer} 对 {deal} 的满意度如何？请询问客户后点选其评分（1–5）。"},
    "csat.earlier": {"en": "Scores so far: {scores}", "zh": "已有评分：{scores}"},
    "csat.button_1": {"en": "1 · very unhappy", "zh": "1 · 很不满意"},
    "csat.button_2": {"en": "2 · unhappy", "zh": "2 · 不满意"},
    "csat.button_3": {"en": "3 · neutral", "zh": "3 · 一般"},
    "csat.button_4": {"en": "4 · satisfied", "zh": "4 · 满意"},
    "csat.button_5": {"en": "5 · very satisfied", "zh": "5 · 非常满意"},
    "csat.recorded": {"en": "Satisfaction {score}/5 recorded for {deal} ({customer}).",
                      "zh": "已记录 {deal}（{customer}）的满意度：{score}/5。"},
    "csat.low": {"en": "A low score: if they complained, log it with {command}",
                 "zh": "评分较低：如客户有投诉，请用 {command} 登记"},
    "csat.survey": {"en": "{customer}, how satisfied are you with {title}?",
                    "zh": "{customer}，您对“{title}”满意吗？"},
    "csat.survey_scale": {"en": "Please reply with one number: 1 (very unhappy) to 5 (very satisfied).",
                          "zh": "请回复一个数字：1（很不满意）到 5（非常满意）。"},
    "csat.sent": {"en": "Survey sent to {count} linked chat(s) of {deal}: the customer's answer there (1–5, within "
                        "{days} days) is recorded.",
                  "zh": "已向 {deal} 的 {count} 个绑定群发送满意度问卷：客户 {days} 天内在群里回复的评分（1–5）将被记录。"},
    "err.csat_no_chat": {"en": "{deal} has no linked chat that records to send the survey to: link its customer "
                               "group with {command} there, or record their answer with csat {deal} 1-5.",
                         "zh": "{deal} 没有可发送问卷的绑定群：请在客户群里发送 {command} 绑定，或用 满意度 {deal} 1-5 直接记录。"},
    "csat.after_won": {"en": "Ask the customer how satisfied they are (1–5), then record it: {command}",
                       "zh": "请询问客户满意度（1–5 分）并记录：{command}"},
    # -- complaints -------------------------------------------------------------------------------
    "complaint.logged": {"en": "Complaint {code} logged for {customer}.", "zh": "已登记 {customer} 的投诉 {code}。"},
    "complaint.resolved": {"en": "{code} ({customer}) resolved.", "zh": "{code}（{customer}）已解决。"},
    "complaint.list_open": {"en": "Open complaints: {count}", "zh": "未解决的投诉：{count} 条"},
    "complaint.list_all": {"en": "Complaints: {count}", "zh": "全部投诉：{count} 条"},
    "complaint.none": {"en": "No complaints.", "zh": "没有投诉。"},
    "complaint.state_open": {"en": "open", "zh": "未解决"},
    "complaint.state_resolved": {"en": "resolved", "zh": "已解决"},
    "complaint.line": {"en": "{code} · {customer} · {when} · {state}: {text}",
                       "zh": "{code} · {customer} · {when} · {state}：{text}"},
    # -- the health board -------------------------------------------------------------------------
    "health.title": {"en": "Health board · {period} ({dates})", "zh": "销售健康度 · {period}（{dates}）"},
    "health.metric_line": {"en": "{metric}: {values}", "zh": "{metric}：{values}"},
    "health.team_value": {"en": "{team} {value} {arrow} (before: {trend})", "zh": "{team} {value} {arrow}（前四周：{trend}）"},
    "health.metric.conversion": {"en": "Conversion", "zh": "赢单转化率"},
    "health.metric.cycle": {"en": "Average cycle", "zh": "平均成交周期"},
    "health.metric.output": {"en": "Output per rep", "zh": "人均产出"},
    "health.metric.attainment": {"en": "Target attainment", "zh": "目标完成率"},
    "health.metric.discipline": {"en": "Update discipline", "zh": "更新及时率"},
    "health.metric.first_response": {"en": "First response", "zh": "首次响应时间"},
    "health.metric.csat": {"en": "Satisfaction", "zh": "客户满意度"},
    "health.metric.complaints": {"en": "Complaint rate", "zh": "客户投诉率"},
    "health.no_target": {"en": "No team target for {teams}: set one with {command}",
                         "zh": "{teams} 没有团队目标，可用 {command} 设定"},
    "health.digest_head": {"en": "Health board {period}:", "zh": "销售健康度 {period}："},
    # -- data quality -----------------------------------------------------------------------------
    "quality.title": {"en": "Data quality · {team}: {count} to fix", "zh": "数据质量 · {team}：{count} 项待修正"},
    "quality.clean": {"en": "Nothing to fix: every open deal has its amount and dates, nothing is stale, no "
                            "customer looks doubled, everyone updated this week.",
                      "zh": "没有需要修正的：未结商机金额和日期齐全，无停滞商机，无疑似重复客户，本周人人都有更新。"},
    "quality.missing_head": {"en": "Past the first stage without an amount or close date: {count}",
                             "zh": "已过首阶段但缺金额或成交日期：{count} 个"},
    "quality.no_amount": {"en": "no amount", "zh": "缺金额"},
    "quality.no_close": {"en": "no close date", "zh": "缺成交日期"},
    "quality.missing_line": {"en": "{deal} ({stage}): {what} → {command}", "zh": "{deal}（{stage}）：{what} → {command}"},
    "quality.past_head": {"en": "Close date in the past: {count}", "zh": "预计成交日期已过：{count} 个"},
    "quality.past_line": {"en": "{deal}: was to close {when} → {command}", "zh": "{deal}：原定 {when} 成交 → {command}"},
    "quality.stale_head": {"en": "Stale (over their stage's limit): {count}", "zh": "停滞（超出阶段时限）：{count} 个"},
    "quality.stale_line": {"en": "{deal} ({stage}): {days} days → {command}", "zh": "{deal}（{stage}）：已 {days} 天 → {command}"},
    "quality.dup_head": {"en": "Likely duplicate customers: {count}", "zh": "疑似重复客户：{count} 组"},
    "quality.dup_line": {"en": "{names} → {command}", "zh": "{names} → 合并：{command}"},
    "quality.quiet_head": {"en": "Reps with no update this week: {count}", "zh": "本周没有更新的销售：{count} 人"},
    "quality.quiet_line": {"en": "{member} → {command}", "zh": "{member} → 查看：{command}"},
    "quality.digest": {"en": "Data quality: {missing} missing amount or date, {past} past close date, {stale} stale, "
                             "{duplicates} duplicate customers, {quiet} reps without updates → quality",
                       "zh": "数据质量：缺金额或日期 {missing}，成交日期已过 {past}，停滞 {stale}，疑似重复客户 {duplicates}，"
                             "本周未更新的销售 {quiet} → 数据质量"},
    "quality.digest_clean": {"en": "Data quality: nothing to fix.", "zh": "数据质量：无需修正。"},
    # -- buttons ----------------------------------------------------------------------------------
    "button.csat": {"en": "Satisfaction", "zh": "满意度"},
    "button.health": {"en": "Health board", "zh": "健康度"},
    "button.quality": {"en": "Data quality", "zh": "数据质量"},
    "button.complaints": {"en": "Complaints", "zh": "投诉列表"},
    "button.resolve": {"en": "Resolve", "zh": "标为已解决"},
    "button.resolve_one": {"en": "Resolve {code}", "zh": "解决 {code}"},
    "button.edit_deal": {"en": "Edit {deal}", "zh": "编辑 {deal}"},
    "button.log_deal": {"en": "Follow up {deal}", "zh": "跟进 {deal}"},
    "button.merge": {"en": "Merge {name}", "zh": "合并 {name}"},
    "button.deals_of": {"en": "Deals of {member}", "zh": "{member} 的商机"},
}
