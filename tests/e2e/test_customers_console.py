"""`customer` in a real `dealbot console` process on the test database: the card in English and
Chinese, the lifecycle moved by deals, fields set, bad input refused with one line, no traceback."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # starts dealbot processes

DAY = "2026-03-02T09:00:00+08:00"  # Monday

SESSION = """\
@boss me
@alice me
@bob me
@alice new Acme 50k
@alice new Acme 20k
@alice task send the deck D-1 due:Friday
@alice log D-1 call: they liked the demo
@alice won D-2
@bob customer Acme
@alice 客户 Acme 行业:能源 来源:展会 标签:重点 名称:"Acme Group"
@bob customer Acme industry:retail
@alice customer Acme lifecycle:someday
@alice customer Acme industry:a industry:b
@alice customer Nope
@alice 客户 acme
@alice contact Acme "Wang Wei" role:buyer phone:13800138000
@alice 联系人 Acme "王经理" 角色:采购 邮箱:wang@acme.cn
@alice contact Acme "Li" phone:call-me
@bob contacts acme
@alice contact Acme "Wang Wei" remove
@alice contacts Acme
@boss member @bob role:manager
@alice new "Acme Inc" 5k
@alice merge customer "Acme Inc" into Acme
@bob merge customer "Acme Inc" into Acme
@bob 客户 Acme Inc
@bob funnel this quarter by:industry
@bob funnel by:colour
"""


def test_customers_in_the_console(run_dealbot_forked):
    result = run_dealbot_forked(["console"], stdin=SESSION, now=DAY)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    answers = [block for block in result.stdout.split("\n\n") if block.strip()]
    assert len(answers) == len(SESSION.splitlines())
    card = answers[8]
    assert card.startswith("Customer Acme · customer")  # a won deal made a customer of the opportunity
    assert "Owner: @alice (owner of D-1)" in card
    assert "Open deals: 1 · ¥50,000" in card and "Won (lifetime): 1 · ¥20,000" in card
    assert "T-1 send the deck · D-1" in card and "call: they liked the demo" in card
    assert answers[9].startswith("客户 Acme Group 已更新。") and "名称：Acme → Acme Group" in answers[9]
    assert answers[10].startswith("✗ Only the owner of Acme Group")
    assert answers[11].startswith("✗ “someday” is not a lifecycle stage")
    assert answers[12].startswith("✗ “industry” is given twice.")
    assert answers[13].startswith("✗ No customer “Nope” in your team.")
    zh = answers[14]
    assert zh.startswith("客户 Acme Group · 成交客户")
    assert "行业: 能源" in zh and "来源: 展会" in zh and "标签: 重点" in zh and "别名: Acme" in zh
    assert answers[15].startswith("Contact Wang Wei added to Acme Group.")
    assert answers[16].startswith("已为 Acme Group 添加联系人 王经理。") and "王经理 · 采购 · wang@acme.cn" in answers[16]
    assert answers[17].startswith("✗ “call-me” is not a phone number.")
    assert answers[18].splitlines() == ["Contacts of Acme Group (2)", "  Wang Wei · buyer · 13800138000",
                                        "  王经理 · 采购 · wang@acme.cn"]
    assert answers[19].startswith("Contact Wang Wei removed from Acme Group.")
    assert answers[20].splitlines() == ["Contacts of Acme Group (1)", "  王经理 · 采购 · wang@acme.cn"]
    assert answers[23].startswith("✗ Only managers and admins merge customers.")
    assert answers[24].startswith("Merged Acme Inc into Acme Group.") and "Moved: 1 deal(s)" in answers[24]
    assert "Open deals: 2 · ¥55,000" in answers[24]
    assert answers[25].startswith("客户 Acme Group · 成交客户") and "别名: Acme, Acme Inc" in answers[25]
    assert "By industry (new deals · won · conversion):\n  能源: 3 · 1 · 33.3% — Lead 3" in answers[26]
    assert answers[27].startswith("✗ “colour” is not a kind of customer to group by")
