"""The words of `customer <name> [field:value …]` (客户): a name, then the fields to set.

Its options are its own (name, industry, source, tag, owner, lifecycle, in both languages), read
here rather than in parser.OPTION_NAMES, so that `name:` or `tag:` stay plain words in the other
verbs' customer names. `tag:重点` adds a tag, `tag:-重点` takes it off; `industry:-` (or `source:-`)
clears the field.
"""

from __future__ import annotations

import re

from core.domain.customers import LIFECYCLE_WORDS, MAX_FIELD_LENGTH, MAX_TAGS
from core.language import commands as c
from core.language.parser import Args, fold

_OPTION = re.compile(r"^([^\W\d_][\w]*)[:：](.*)$", re.DOTALL)
CUSTOMER_OPTIONS = {
    "name": "name", "名称": "name", "名字": "name",
    "industry": "industry", "行业": "industry",
    "source": "source", "来源": "source",
    "tag": "tag", "tags": "tag", "标签": "tag",
    "owner": "owner", "负责人": "owner",
    "lifecycle": "lifecycle", "生命周期": "lifecycle", "客户阶段": "lifecycle",
}
CLEAR = "-"


def read_customer(a: Args) -> c.Command:
    words: list[str] = []
    fields: dict[str, str] = {}
    added: list[str] = []
    removed: list[str] = []
    for tok in a.tokens:
        option = None if tok.quoted or not words else _OPTION.match(tok.text)  # the first word is the name's
        if option is None:
            if fields or added or removed:
                raise a.error("err.extra_args", text=tok.text[:40])
            words.append(tok.text)
            continue
        key = CUSTOMER_OPTIONS.get(option[1].casefold())
        if key is None:
            raise a.error("err.bad_option", option=option[1], command=a.verb)
        value = " ".join(option[2].split())
        if key == "tag":
            if value.startswith(CLEAR) and len(value) > 1:
                removed.append(_text(a, key, value[1:].strip()))
            else:
                added.append(_text(a, key, value))
        elif key in fields:
            raise a.error("cust.option_twice", option=option[1])
        else:
            fields[key] = value
    if not words:
        raise a.missing("customer")
    name = a.name(" ".join(words))
    if not fields and not added and not removed:
        return c.ShowCustomer(name)
    if len(added) > MAX_TAGS:
        raise a.error("cust.too_many_tags", limit=MAX_TAGS)
    return c.SetCustomer(
        name,
        new_name=a.name(fields["name"]) if "name" in fields else None,
        industry=_clearable(a, "industry", fields.get("industry")),
        source=_clearable(a, "source", fields.get("source")),
        owner=a.handle(fields["owner"]) if "owner" in fields else None,
        lifecycle=_lifecycle(a, fields["lifecycle"]) if "lifecycle" in fields else None,
        tags_added=tuple(dict.fromkeys(added)), tags_removed=tuple(dict.fromkeys(removed)),
    )


def _text(a: Args, key: str, value: str) -> str:
    if not value:
        raise a.error("cust.empty_value", option=key)
    if len(value) > MAX_FIELD_LENGTH:
        raise a.error("err.name_too_long", value=value[:40], limit=MAX_FIELD_LENGTH)
    return a.name(value)


def _clearable(a: Args, key: str, value: str | None) -> str | None:
    """None: not given; "": clear it; else the new text."""
    if value is None:
        return None
    return "" if value == CLEAR else _text(a, key, value)


def _lifecycle(a: Args, value: str) -> str:
    found = LIFECYCLE_WORDS.get(fold(value))
    if found is None:
        raise a.error("cust.bad_lifecycle", value=value[:40])
    return found


CONTACT_OPTIONS = {
    "role": "role", "角色": "role", "职位": "role", "title": "role",
    "phone": "phone", "tel": "phone", "mobile": "phone", "电话": "phone", "手机": "phone",
    "email": "email", "mail": "email", "邮箱": "email", "邮件": "email",
}
REMOVE_WORDS = {"remove", "delete", "删除", "移除"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[\d\s\-().]{5,30}$")


def read_contact(a: Args) -> c.Command:
    """`contact <customer> <person> [role:…] [phone:…] [email:…] | remove`: the person is the
    quoted word (`contact Acme Group "Wang Wei"`), else the last word before the options."""
    positional: list[tuple[str, bool]] = []
    fields: dict[str, str] = {}
    remove = False
    for tok in a.tokens:
        option = None if tok.quoted or not positional else _OPTION.match(tok.text)
        if option is None:
            if fields or remove:
                raise a.error("err.extra_args", text=tok.text[:40])
            if not tok.quoted and len(positional) >= 2 and fold(tok.text) in REMOVE_WORDS:
                remove = True
                continue
            positional.append((tok.text, tok.quoted))
            continue
        key = CONTACT_OPTIONS.get(option[1].casefold())
        if key is None:
            raise a.error("err.bad_option", option=option[1], command=a.verb)
        if key in fields:
            raise a.error("cust.option_twice", option=option[1])
        fields[key] = " ".join(option[2].split())
    if not positional:
        raise a.missing("customer")
    quoted = [i for i, (_, q) in enumerate(positional) if q and i > 0]
    person = quoted[0] if quoted else len(positional) - 1
    if person == 0:
        raise a.missing("contact")
    if person != len(positional) - 1:
        raise a.error("err.extra_args", text=positional[person + 1][0][:40])
    if remove and fields:
        raise a.error("err.extra_args", text=" ".join(f"{k}:{v}" for k, v in fields.items())[:40])
    return c.SetContact(
        customer=a.name(" ".join(text for text, _ in positional[:person])),
        name=a.name(positional[person][0]),
        role=_clearable(a, "role", fields.get("role")),
        phone=_checked(a, "phone", fields.get("phone"), _PHONE, "cust.bad_phone"),
        email=_checked(a, "email", fields.get("email"), _EMAIL, "cust.bad_email"),
        remove=remove,
    )


def _checked(a: Args, key: str, value: str | None, shape: re.Pattern[str], error: str) -> str | None:
    found = _clearable(a, key, value)
    if found and (not shape.match(found) or (key == "phone" and sum(ch.isdigit() for ch in found) < 5)):
        raise a.error(error, value=found[:40])
    return found


def read_contacts(a: Args) -> c.Command:
    if not a.tokens:
        raise a.missing("customer")
    return c.ListContacts(a.name(" ".join(tok.text for tok in a.tokens)))


MERGE_WHAT = {"customer", "customers", "客户"}
INTO_WORDS = {"into", "to", "到", "并入", "→"}


def read_merge(a: Args) -> c.Command:
    """`merge [customer] <name> into <name>` (合并 [客户] <名称> 到 <名称>)."""
    words = a.tokens
    if words and not words[0].quoted and fold(words[0].text) in MERGE_WHAT:
        words = words[1:]  # "customer" may be said or not: customers are all merge merges
    into = next((i for i, tok in enumerate(words) if not tok.quoted and fold(tok.text) in INTO_WORDS), None)
    if into is None:
        raise a.missing("merge_into")
    source, target = words[:into], words[into + 1:]
    if not source:
        raise a.missing("customer")
    if not target:
        raise a.missing("merge_into")
    return c.MergeCustomers(a.name(" ".join(tok.text for tok in source)),
                            a.name(" ".join(tok.text for tok in target)))
