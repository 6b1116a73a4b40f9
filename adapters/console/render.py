"""Replies out, as terminal text. Buttons become a numbered list of the commands they run."""

from __future__ import annotations

from core.chat.messages import Reply


def render(reply: Reply) -> str:
    lines = [("✗ " if reply.is_error else "") + reply.title] if reply.title else []
    lines += [f"  {field.label}: {field.value}" for field in reply.fields]
    lines += [f"  {line}" for line in reply.lines]
    if reply.image_path:
        lines.append(f"  [image] {reply.image_path}")
    lines += [f"  [{n}] {b.label} → {b.command}" for n, b in enumerate(reply.buttons, start=1)]
    return "\n".join(lines)
