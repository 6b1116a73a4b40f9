"""The console's buttons: a typed number presses a button of the last reply in its conversation,
as the one who types it: `2` the local user's own, `@alice 2` alice's (as alice), `@alice #room 2`
the last reply in #room. A number that is no button says which ones are, in the reply's language."""

from __future__ import annotations

from adapters.console import ConsoleAdapter
from tests.fakes import ChatHarness


def console() -> tuple[ChatHarness, ConsoleAdapter]:
    chat = ChatHarness()
    return chat, ConsoleAdapter(chat.bot.handle, local_user="boss")


def test_impersonated_users_press_the_buttons_of_their_own_last_reply():
    chat, adapter = console()
    assert "[1] → First contact → move D-1 next" in adapter.answer("new Acme 50k")
    assert "move D-2 next" in adapter.answer("@alice new Beta 10k")
    assert adapter.answer("@alice 1").startswith("D-2 moved: Lead → First contact.")  # alice's card
    assert chat.uow.deals.get(2).stage == "contact"
    assert adapter.answer("1").startswith("D-1 moved: Lead → First contact.")  # and boss's own, still there
    audit = [(e.entity, e.actor_id) for e in chat.uow.audit.rows.values() if e.action == "deal.move"]
    alice, boss = chat.uow.members.by_handle("alice"), chat.uow.members.by_handle("boss")
    assert audit == [("D-2", alice.id), ("D-1", boss.id)]


def test_in_chinese_and_in_a_group_chat():
    chat, adapter = console()
    assert "[1] 推进到初步沟通 → move D-1 next" in adapter.answer("@alice 新建 华为 5万")
    adapter.answer("@alice 1")
    assert chat.uow.deals.get(1).stage == "contact"
    adapter.answer("@boss #room show D-1")  # boss shows alice's card in the group chat
    assert adapter.answer("@alice #room 5").startswith("✗ No permission: the history")  # as alice: a rep
    adapter.answer("@boss #room show D-1")
    assert adapter.answer("@alice #room 1").startswith("D-1 moved: First contact → Demo.")
    assert chat.uow.deals.get(1).stage == "demo"


def test_a_number_that_is_no_button_says_how_to_press_one_and_changes_nothing():
    chat, adapter = console()
    adapter.answer("@alice new Beta 10k")
    assert adapter.answer("@alice 9") == (
        "✗ There is no button 9: the last reply to @alice has 5 (1–5). A number presses a button of the last "
        "reply in its conversation: 2 yours, @alice 2 alice's, @alice #room 2 in #room.")
    assert adapter.answer("@bob 1").startswith("✗ There is no button 1: the last reply to @bob has none.")
    adapter.answer("@carol 新建 华为 5万")
    assert adapter.answer("@carol 6").startswith("✗ 没有第 6 个按钮：@carol 收到的上一条回复有 5 个按钮（1–5）。")
    assert chat.uow.deals.get(1).stage == "lead" and chat.uow.deals.get(2).stage == "lead"
