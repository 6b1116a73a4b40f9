"""The words of the lead verbs: `lead` (线索), `pool` (公海), `claim` (领取) (`me away`, 请假: parser.read_me).

`lead <company> [person] [phone] [email] [source:…] [territory:…] [industry:…] [note:…] [pool]`:
the company is the first word (quote a name of several words), a word shaped like a phone number
or an e-mail address is that, the other words are the person's name. `lead L-7` shows a lead,
`lead L-7 accept` / `lead L-7 pass` answer an offer (the DM's buttons), `lead` alone lists mine.
"""

from __future__ import annotations

import re
from dataclasses import replace

from core.language import commands as c
from core.language.parser import Args, Token, fold
from core.leads.contact_check import looks_like_email, looks_like_phone, problem

LEAD_ID = re.compile(r"^l-?(\d{1,9})$", re.IGNORECASE)
# A first word shaped like a lead ref (L- and no word of letters after it: L-7, L--1, L-99999…,
# L-7a) is one, a bad one refused; `L-Tech` stays a company (or quote it: "L-7").
LEAD_REF_LIKE = re.compile(r"^l-(?![^\W\d_]{2})", re.IGNORECASE)
_OPTION = re.compile(r"^([^\W\d_][\w]*)[:：](.*)$", re.DOTALL)
LEAD_OPTIONS = {
    "source": "source", "来源": "source", "渠道": "source",
    "territory": "territory", "region": "territory", "area": "territory", "区域": "territory", "地区": "territory",
    "industry": "industry", "行业": "industry",
    "note": "note", "备注": "note",
    "phone": "phone", "tel": "phone", "mobile": "phone", "电话": "phone", "手机": "phone",
    "email": "email", "mail": "email", "邮箱": "email",
    "contact": "person", "person": "person", "联系人": "person",
    "team": "team", "团队": "team",
}
POOL_WORDS = {"pool", "公海", "线索池"}
ANSWERS = {"accept": c.AcceptLead, "接受": c.AcceptLead, "接收": c.AcceptLead, "take": c.AcceptLead,
           "pass": c.PassLead, "放弃": c.PassLead, "跳过": c.PassLead, "skip": c.PassLead}
MAX_FIELD = 100


def lead_id_of(a: Args, word: str) -> int:
    m = LEAD_ID.match(word)
    if not m:
        raise a.error("lead.bad_ref", value=word[:40])
    return int(m[1])


def read_lead(a: Args) -> c.Command:
    if not a.tokens:
        return c.ListLeads()
    first = a.tokens[0]
    if not first.quoted and (LEAD_ID.match(first.text) or LEAD_REF_LIKE.match(first.text)):
        lead_id = lead_id_of(a, first.text)
        if len(a.tokens) == 1:
            return c.ShowLead(lead_id)
        answer = ANSWERS.get(fold(a.tokens[1].text))
        if answer is None or len(a.tokens) > 2:
            raise a.error("err.extra_args", text=a.rest_after(1)[:40])
        return answer(lead_id)
    return _new_lead(a)


def _new_lead(a: Args) -> c.Command:
    company = a.name(a.tokens[0].text)
    person: list[str] = []
    fields: dict[str, str] = {}
    pool = False
    tokens = _join_phone_runs(a.tokens[1:])
    for tok in tokens:
        option = None if tok.quoted else _OPTION.match(tok.text)
        key = LEAD_OPTIONS.get(option[1].casefold()) if option else None
        if option is not None and key is None and not looks_like_email(tok.text):
            raise a.error("err.bad_option", option=option[1], command=a.verb)
        if key is not None and option is not None:
            if key in fields:
                raise a.error("cust.option_twice", option=option[1])
            value = " ".join(option[2].split())
            if not value:
                raise a.error("cust.empty_value", option=option[1])
            fields[key] = value
        elif not tok.quoted and fold(tok.text) in POOL_WORDS:
            pool = True
        elif not tok.quoted and (looks_like_email(tok.text) or looks_like_phone(tok.text)):
            kind = "email" if looks_like_email(tok.text) else "phone"
            if kind in fields:
                raise a.error("cust.option_twice", option=kind)
            fields[kind] = tok.text
        else:
            person.append(tok.text)
    if person and "person" in fields:
        raise a.error("err.extra_args", text=" ".join(person)[:40])
    for key, value in fields.items():
        if key != "note" and len(value) > MAX_FIELD:
            raise a.error("err.name_too_long", value=value[:40], limit=MAX_FIELD)
    phone, email = fields.get("phone"), fields.get("email")
    bad = problem(phone, email)
    if bad is not None:
        raise a.error(bad[0], value=bad[1])
    name = fields.get("person") or " ".join(person)
    return c.NewLead(
        company=company, person=a.name(name) if name else "", phone=phone, email=email,
        source=fields.get("source"), territory=fields.get("territory"), industry=fields.get("industry"),
        note=fields.get("note", "")[:1000] or None, team=fields.get("team"), pool=pool)


def _join_phone_runs(tokens: list[Token]) -> list[Token]:
    """Unquoted phone-shaped words in a row are one number: `+86 138 0013 8000`."""
    out: list[Token] = []
    for tok in tokens:
        if out and not tok.quoted and not out[-1].quoted and looks_like_phone(tok.text) \
                and looks_like_phone(out[-1].text):
            out[-1] = replace(out[-1], text=f"{out[-1].text} {tok.text}")
        else:
            out.append(tok)
    return out


def read_pool(a: Args) -> c.Command:
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.ListPool(a.tokens[0].text if a.tokens else None)


def read_claim(a: Args) -> c.Command:
    if not a.tokens:
        raise a.missing("lead")
    if len(a.tokens) > 1:
        raise a.error("err.extra_args", text=a.rest_after(1)[:40])
    return c.ClaimLead(lead_id_of(a, a.tokens[0].text))
