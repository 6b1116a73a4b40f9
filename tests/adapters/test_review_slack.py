"""The pipeline review on Slack (slack-bolt in HTTP mode against the local fake Web API): the card's
buttons carry the answers, a click is run as whoever clicked — a rep's click (or a forged payload)
is refused in an ephemeral reply and stores nothing — and the manager's click records the call
and answers with the next card."""

from __future__ import annotations

from tests.adapters.test_slack import button_values, fake, slack  # noqa: F401  (fixtures)


def _calls(wired) -> list[tuple[int, str]]:
    with wired.uow() as uow:
        return [(c.deal_id, c.category) for d in (1, 2) for c in uow.forecast_calls.for_deal(d)]


async def test_review_clicks_answer_as_the_clicker(slack):  # noqa: F811
    await slack.slash("new Acme 50k", user="U1")  # alice, D-1
    await slack.slash("new Beta 80k", user="U2")  # bob, D-2: the largest
    await slack.slash("me", user="U3")  # carol writes once, then the admin makes her a manager
    await slack.slash("member @carol role:manager", user="UBOSS")
    await slack.slash("review", user="U3")
    card = slack.fake.posted[-1]
    values = button_values(card)
    assert "Pipeline review of sales: 2 open deals" in card.text
    assert values[:3] == ["review D-2 commit", "review D-2 best", "review D-2 pipeline"] and len(values) == 6

    await slack.click("review D-2 commit", user="U1")  # alice, a rep
    refusal = slack.fake.posted[-1]
    assert refusal.ephemeral and "No permission: pipeline reviews are for managers" in refusal.text
    assert _calls(slack.wired) == []

    await slack.click("review D-2 commit", user="U3")
    answered = slack.fake.posted[-1]
    assert not answered.ephemeral and "D-2: Commit." in answered.all_text()
    assert button_values(answered)[0] == "review D-1 commit"  # the next card
    assert _calls(slack.wired) == [(2, "commit")]
