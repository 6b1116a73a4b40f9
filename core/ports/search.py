"""The search index (`find`): the database's own full-text index, kept in the transaction of
each write (storage/search.py). It answers with candidates as stored now, within a Scope;
the core checks each against the query again and ranks them (core.search.results)."""

from __future__ import annotations

from typing import Protocol

from core.search.results import MessageHit, NameHit, Scope
from core.search.terms import Query


class SearchIndex(Protocol):
    def names(self, query: Query, scope: Scope, limit: int) -> list[NameHit]:
        """Deals, customers and contacts the index finds for every term, newest first."""
        ...

    def messages(self, query: Query, scope: Scope, limit: int) -> list[MessageHit]:
        """Captured messages and follow-ups the index finds for every term, newest first,
        deleted and erased ones left out."""
        ...

    def words(self, head: str) -> list[str]:
        """The words of names (and their pinyin) that begin with these two letters: what a
        mistyped word is compared with."""
        ...
