"""Rolling revenue and the trend computed from 24 months of turnover: pure, no database."""

from decimal import Decimal

from customers.revenue import rules

D = Decimal


def test_flat_turnover_is_stable_and_sums_to_the_annual_revenue_in_ten_thousands():
    figures = rules.trend_figures([D(10000)] * 12, [D(10000)] * 12)
    assert figures.annual_wan == D("12.00")
    assert figures.slope == 0
    assert figures.change == 0
    assert figures.trend == "stable"


def test_slope_is_the_least_squares_line_per_month():
    assert rules.slope([D(100), D(200), D(300)]) == D("100.00")
    assert rules.slope([D(5)]) == 0


def test_growth_against_the_year_before_with_a_rising_line_is_growing():
    last = [D(1000 + 100 * i) for i in range(12)]  # 1000 .. 2100, sum 18600
    figures = rules.trend_figures(last, [D(1000)] * 12)
    assert figures.slope == D("100.00")
    assert figures.change == D("0.5500")  # (18600 - 12000) / 12000
    assert figures.trend == "growing"


def test_a_fall_of_more_than_five_percent_with_a_falling_line_is_declining():
    last = [D(2100 - 100 * i) for i in range(12)]
    figures = rules.trend_figures(last, [D(2000)] * 12)
    assert figures.change < 0
    assert figures.trend == "declining"


def test_a_higher_year_with_a_falling_line_stays_stable():
    # Up on the year, but the last months point down: the two signals disagree.
    last = [D(3000)] * 6 + [D(2000)] * 6
    figures = rules.trend_figures(last, [D(1000)] * 12)
    assert figures.change > 0 and figures.slope < 0
    assert figures.trend == "stable"


def test_without_a_year_before_the_line_alone_decides():
    figures = rules.trend_figures([D(100 * (i + 1)) for i in range(12)], [D(0)] * 12)
    assert figures.change is None
    assert figures.trend == "growing"


def test_falling_twice_needs_two_falls_each_over_the_share():
    share = D("0.2")
    assert rules.falling_twice([D(100), D(70), D(50)], share)
    assert not rules.falling_twice([D(100), D(70), D(60)], share)  # second fall 14%
    assert not rules.falling_twice([D(100), D(90), D(50)], share)
    assert not rules.falling_twice([D(70), D(50)], share)
