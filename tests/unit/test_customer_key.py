"""The import matches a file's customers as chat does: core.domain.model.customers_by_key."""

from core.domain.model import Customer, customer_key, customers_by_key


def test_a_name_wins_over_an_alias_and_the_oldest_over_the_newer():
    holdings = Customer("Initech Holdings", 1, aliases=["Initech", "ＩＮＩ"], id=1)
    initech = Customer("INITECH", 1, id=2)
    twin = Customer("initech", 1, id=3)
    keyed = customers_by_key([twin, initech, holdings])  # in any order
    assert keyed[customer_key("Initech")] is initech
    assert keyed[customer_key("initech holdings")] is holdings
    assert keyed[customer_key("ｉｎｉ")] is holdings
    assert customer_key("ACME") not in keyed


def test_the_key_folds_case_only():
    assert customer_key("STRASSE") == customer_key("straße")
    assert customer_key("ＡＣＭＥ") == customer_key("ａｃｍｅ") != customer_key("acme")
    assert customer_key("华为 技术") != customer_key("华为技术")
