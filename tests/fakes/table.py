"""The in-memory table every fake repository keeps its rows in."""

from __future__ import annotations


class Table:
    """A dict of id -> object with id assignment, shared by every fake repository."""

    def __init__(self):
        self.rows: dict[int, object] = {}
        self.next_id = 1

    def add(self, obj):
        if obj.id is None:
            obj.id = self.next_id
        self.next_id = max(self.next_id, obj.id + 1)
        self.rows[obj.id] = obj
        return obj

    def get(self, obj_id):
        return self.rows.get(obj_id)

    def all(self):
        return list(self.rows.values())
