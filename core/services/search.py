"""`find <words>` (搜索): deals, customers, contacts, follow-ups and captured messages in one
ranked list, within what the asker may see (core.search.results.Scope).

The database's own full-text index finds the candidates (storage/search.py: SQLite FTS5,
PostgreSQL full text; kept in the transaction of every write); each is checked against the
query once more as it is stored now, then ranked: names first (the whole name, then names
starting with the words, then the rest), then messages and follow-ups, newest first. When
nothing matches, a mistyped English word (or pinyin) is compared with the words of the names
the index holds beginning with its first two letters, and the nearest ones are searched instead.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from core.chat.context import Context
from core.chat.messages import Button, Reply
from core.domain.model import Deal
from core.language import commands as c
from core.language.errors import UserError
from core.language.i18n import t
from core.language.verbs import edit_distance
from core.search import results as r
from core.search.terms import Query, read_query, typo_limit

SHOWN = 10  # lines in the reply
NAME_CANDIDATES = 200  # names the index hands over, before the check and the ranking
MESSAGE_CANDIDATES = 20  # the newest messages in scope; the lines left after the names show
CORRECTIONS = 3  # nearest words tried for a mistyped one


def find(cmd: c.Find, ctx: Context) -> Reply:
    query = read_query(cmd.text)
    scope = r.Scope.of(ctx.actor)
    if query.deal_number is not None:
        return _deal_by_number(ctx, query, scope)
    if not query.terms:
        raise UserError("err.find_no_words", text=cmd.text[:40])
    lines, buttons, total, more = _search(ctx, query, scope)
    title = None
    if not total:
        for corrected in _corrections(ctx, query):
            lines, buttons, total, more = _search(ctx, corrected, scope, typo=True)
            if total:
                words = " ".join(term.text for term in corrected.terms)
                title = t("find.corrected", ctx.lang, query=cmd.text, corrected=words)
                break
    if not total:
        return Reply(title=t("find.none", ctx.lang, query=cmd.text), language=ctx.lang)
    if title is None:
        count = f"{total}+" if more else str(total)
        title = (t("find.title", ctx.lang, query=cmd.text, count=count) if total <= SHOWN else
                 t("find.title_more", ctx.lang, query=cmd.text, count=count, shown=SHOWN))
    return Reply(title=title, lines=lines[:SHOWN], buttons=buttons[:3], language=ctx.lang)


def _search(ctx: Context, query: Query, scope: r.Scope, typo: bool = False
            ) -> tuple[list[str], list[Button], int, bool]:
    """The lines, the deals' buttons, how many were found, and whether there are more than that
    (the index was asked for no more)."""
    found_names = ctx.uow.search.names(query, scope, NAME_CANDIDATES)
    found_messages = ctx.uow.search.messages(query, scope, MESSAGE_CANDIDATES)
    more = len(found_names) >= NAME_CANDIDATES or len(found_messages) >= MESSAGE_CANDIDATES
    names = r.rank_names(query, found_names, typo=typo)
    messages = r.real_messages(query, found_messages)
    lines = [_name_line(ctx, hit, name) for hit, name in names]
    lines += [_message_line(ctx, query, hit) for hit in messages[:max(0, SHOWN - len(lines))]]
    buttons = [Button(f"D-{hit.id}", f"show D-{hit.id}") for hit, _ in names if hit.kind == r.DEAL]
    return lines, buttons, len(names) + len(messages), more


def _corrections(ctx: Context, query: Query) -> list[Query]:
    """The query with its first mistyped word replaced by the nearest words of names; failing
    those, by the nearest beginnings of them. A name's pinyin is one word for its whole Chinese
    run (华为技术有限公司: huaweijishuyouxiangongsi), found by `huawei` as its beginning, so a typo
    in `huawei` is measured against the beginnings too (`huwei` → huawei), as `Acmee` is against
    acme."""
    for term in query.terms:
        limit = typo_limit(term.text)
        if term.han or not limit:
            continue
        words = [word for word in ctx.uow.search.words(term.text[:2]) if word != term.text]
        distances = sorted((edit_distance(term.text, word, limit), word) for word in words)
        near = [word for distance, word in distances if distance <= limit][:CORRECTIONS]
        if not near:  # the beginnings: only as many letters as can be near, and each once
            heads = {word[:len(term.text) + limit + 1] for word in words}
            starts = sorted({found for head in heads if (found := _nearest_start(term.text, head, limit))})
            near = list(dict.fromkeys(found[-1] for found in starts))[:CORRECTIONS]
        if near:
            return query.replaced(term, near)
    return []


def _nearest_start(typed: str, word: str, limit: int) -> tuple[int, bool, int, str] | None:
    """(distance, not at a syllable's end, length, beginning) of the beginning of `word` nearest
    to `typed` within `limit` edits, or None; `typed` itself is never one. Of the nearest, one
    that ends where a syllable may (`huawei|jishu`, not `huaweij`), then the shortest: `huaweii`
    shows huawei."""
    best = None
    distances = _prefix_distances(typed, word[:len(typed) + limit])
    for length in range(max(len(typed) - limit, 3), len(distances)):
        start = word[:length]
        if distances[length] > limit or start == typed:
            continue
        found = (distances[length], not _syllable_end(word, length), length, start)
        if best is None or found < best:
            best = found
    return best


def _prefix_distances(a: str, b: str) -> list[int]:
    """The edit distance (as core.language.verbs.edit_distance counts: insert, delete, replace,
    swap neighbours) of `a` to each beginning of `b`, b[:0] … b[:len(b)], in one table."""
    before: list[int] | None = None
    row = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (char_a != char_b))
            if before is not None and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return row


def _syllable_end(word: str, length: int) -> bool:
    """Whether a pinyin syllable may end after `length` letters: a vowel (or n, g) before, a
    consonant (or nothing) after."""
    return length == len(word) or (word[length - 1] in _FINALS and word[length] not in _VOWELS)


_VOWELS, _FINALS = frozenset("aeiouv"), frozenset("aeiouvng")


def _visible(scope: r.Scope, deal: Deal) -> bool:
    return scope.team_id is None or deal.team_id == scope.team_id


def _deal_by_number(ctx: Context, query: Query, scope: r.Scope) -> Reply:
    deal = ctx.uow.deals.get(query.deal_number or 0)
    if deal is None or not _visible(scope, deal):
        return Reply(title=t("find.none", ctx.lang, query=query.text), language=ctx.lang)
    customer = ctx.uow.customers.get(deal.customer_id)
    hit = r.NameHit(r.DEAL, deal.saved_id, (deal.title,), customer.name if customer else "", deal.stage)
    return Reply(title=t("find.title", ctx.lang, query=query.text, count=1),
                 lines=[_name_line(ctx, hit, deal.title)],
                 buttons=[Button(f"D-{deal.saved_id}", f"show D-{deal.saved_id}")], language=ctx.lang)


def _name_line(ctx: Context, hit: r.NameHit, name: str) -> str:
    kind = t(f"find.kind.{hit.kind}", ctx.lang)
    if hit.kind == r.DEAL:
        stage = hit.stage or ""
        if stage in ctx.pipeline.keys:
            stage = ctx.pipeline.get(stage).name(ctx.lang)
        customer = f" — {hit.customer}" if hit.customer and hit.customer != name else ""
        return t("find.deal_line", ctx.lang, kind=kind, ref=f"D-{hit.id}", title=name, customer=customer,
                 stage=stage)
    if hit.kind == r.CUSTOMER:  # found by an alias: the name, then the alias
        return t("find.customer_line", ctx.lang, kind=kind, name=hit.customer if name == hit.customer
                 else f"{hit.customer} ({name})")
    return t("find.contact_line", ctx.lang, kind=kind, name=name, customer=hit.customer)


def _message_line(ctx: Context, query: Query, hit: r.MessageHit) -> str:
    kind = t("find.kind.message" if hit.is_captured else "find.kind.follow_up", ctx.lang)
    where = f"D-{hit.deal_id}" if hit.deal_id is not None else (hit.customer or "—")
    day = hit.at.astimezone(ZoneInfo(ctx.tz)).strftime("%Y-%m-%d")
    author = f" {hit.author}" if hit.author else ""
    return t("find.message_line", ctx.lang, kind=kind, where=where, day=day, author=author,
             snippet=r.snippet(hit.text, query))
