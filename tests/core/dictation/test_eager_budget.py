from __future__ import annotations

import pytest

from app.core.dictation.eager_budget import BudgetConfig, EagerBudget

TAIL = 0.4


def test_no_wait_before_anything_was_dropped():
    b = EagerBudget()
    assert b.wait_s(3.0, TAIL) == 0.0
    b.committed(3.0)
    assert b.share == 0.0 and b.wait_s(3.0, TAIL) == 0.0


def test_over_budget_it_waits_past_the_longest_hesitation_plus_the_margin():
    b = EagerBudget(BudgetConfig(budget=0.2, margin_s=0.1, run_overhead_s=0.5))
    b.dropped(2.0, 0.45)
    b.dropped(1.0, 0.5)
    assert b.longest_gap == pytest.approx(0.5)
    assert b.wait_s(4.0, TAIL) == pytest.approx(0.5 + 0.1 - TAIL)


def test_the_run_about_to_start_counts_as_kept():
    b = EagerBudget(BudgetConfig(budget=0.25, margin_s=0.1, run_overhead_s=0.0))
    b.dropped(1.0, 0.5)
    assert b.wait_s(2.0, TAIL) > 0  # 1 / (1 + 2) > 25 %
    assert b.wait_s(3.0, TAIL) == 0  # 1 / (1 + 3) = 25 %
    b.committed(3.0)
    assert b.share == pytest.approx(0.25)
    assert b.wait_s(0.1, TAIL) == 0


def test_a_drop_without_a_hesitation_counts_as_waste_but_not_as_a_gap():
    b = EagerBudget()
    b.dropped(5.0, None)
    assert b.longest_gap == 0.0 and b.share == 1.0
    assert b.wait_s(1.0, TAIL) == 0.0  # nothing to wait past: a gap of 0.1 < the tail


def test_budget_one_never_waits():
    b = EagerBudget(BudgetConfig(budget=1.0))
    b.dropped(5.0, 0.7)
    assert b.wait_s(0.5, TAIL) == 0.0
