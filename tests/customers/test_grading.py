"""The pure grading rules: properties that hold for every rule an admin can save."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from customers import grading
from customers.grading import DEFAULT_DEFINITION, Attributes, Rule, definition_problems, grade

SCALES = ["large", "medium", "small", "micro"]
TRENDS = ["growing", "stable", "declining"]
NATURES = ["manufacturer", "distributor", "retailer", "ecommerce", "trading", "other"]

revenues = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False)


@st.composite
def definitions(draw):
    """Any definition the rule page accepts (definition_problems() is empty)."""
    n = draw(st.integers(min_value=1, max_value=6))
    thresholds = sorted(
        draw(st.lists(st.integers(0, 300), min_size=n, max_size=n, unique=True)), reverse=True
    )
    codes = draw(st.lists(st.sampled_from("ABCDEFGH核重一潜"), min_size=n, max_size=n, unique=True))
    grades = [
        {
            "code": c,
            "name": c,
            "order": i + 1,
            "min_points": t,
            "visits_per_month": 1,
            "calls_per_week": 1,
        }
        for i, (c, t) in enumerate(zip(codes, thresholds, strict=True))
    ]
    lows = sorted(draw(st.lists(st.integers(0, 5000), max_size=6, unique=True)))
    points = sorted(draw(st.lists(st.integers(0, 100), min_size=len(lows), max_size=len(lows))))
    definition = {
        "grades": grades,
        "revenue_bands": [
            {"min": str(low), "points": p} for low, p in zip(lows, points, strict=True)
        ],
        "scale": {k: draw(st.integers(0, 50)) for k in SCALES},
        "trend": {k: draw(st.integers(0, 50)) for k in TRENDS},
        "nature": {k: draw(st.integers(0, 50)) for k in NATURES},
    }
    assert definition_problems(definition) == []
    return definition


attributes = st.builds(
    Attributes,
    annual_revenue=revenues,
    scale=st.sampled_from(SCALES),
    trend=st.sampled_from(TRENDS),
    nature=st.sampled_from(NATURES),
)


def rank(rule: Rule, code: str) -> int:
    return [g.code for g in rule.grades].index(code)


@given(definitions(), attributes)
def test_every_customer_gets_exactly_one_grade_of_the_rule(definition, attrs):
    rule = Rule.from_definition(definition)
    result = grade(attrs, rule)
    reached = [g for g in rule.grades if result.points >= g.min_points]
    expected = reached[0] if reached else rule.grades[-1]
    assert result.grade == expected.code
    assert result.points == sum(item["points"] for item in result.breakdown.values())


@given(definitions(), attributes, revenues)
def test_more_revenue_never_lowers_the_grade_all_else_equal(definition, attrs, extra):
    rule = Rule.from_definition(definition)
    richer = Attributes(attrs.annual_revenue + extra, attrs.scale, attrs.trend, attrs.nature)
    assert rank(rule, grade(richer, rule).grade) <= rank(rule, grade(attrs, rule).grade)


@given(definitions(), st.data())
def test_a_grades_threshold_is_honoured_at_its_boundary(definition, data):
    rule = Rule.from_definition(definition)
    g = data.draw(st.sampled_from(rule.grades))
    assert rule.grade_for_points(g.min_points).code == g.code
    if g.min_points > 0 and g is not rule.grades[-1]:
        below = rule.grade_for_points(g.min_points - 1)
        assert rank(rule, below.code) > rank(rule, g.code)


@given(definitions(), revenues)
def test_the_floor_of_a_revenue_band_scores_like_every_revenue_in_it(definition, revenue):
    rule = Rule.from_definition(definition)
    band = next((i for i, (low, _p) in enumerate(rule.revenue_bands) if revenue >= low), -1)
    assert rule.revenue_points(rule.band_floor(band)) == rule.revenue_points(revenue)


def test_the_default_rule_gives_a_at_1000_wan_and_b_just_below():
    rule = Rule.from_definition(DEFAULT_DEFINITION)
    big = Attributes(Decimal("1000"), "large", "stable", "distributor")  # 50+20+8+12 = 90
    assert grade(big, rule).grade == "A"
    assert grade(big, rule).breakdown["revenue"] == {"value": "1000.00", "points": 50}
    just_below = Attributes(Decimal("999.99"), "medium", "stable", "retailer")  # 40+12+8+8 = 68
    assert (grade(just_below, rule).grade, grade(just_below, rule).points) == ("B", 68)


def test_the_default_cadence_is_the_big_customer_management_plans_table():
    cadence = Rule.from_definition(DEFAULT_DEFINITION).cadence()
    assert cadence == {
        "A": grading.Cadence(visits_per_month=3, calls_per_week=2),
        "B": grading.Cadence(visits_per_month=2, calls_per_week=2),
        "C": grading.Cadence(visits_per_month=1, calls_per_week=2),
        "D": grading.Cadence(visits_per_month=2, calls_per_week=1),
    }


def test_grade_names_and_count_are_data():
    definition = {
        "grades": [
            {"code": "核心", "name": "核心客户", "order": 1, "min_points": 70},
            {"code": "重点", "name": "重点客户", "order": 2, "min_points": 45},
            {"code": "一般", "name": "一般客户", "order": 3, "min_points": 20},
            {"code": "潜在", "name": "潜在客户", "order": 4, "min_points": 0},
        ],
        "revenue_bands": DEFAULT_DEFINITION["revenue_bands"],
        "scale": DEFAULT_DEFINITION["scale"],
    }
    rule = Rule.from_definition(definition)
    assert grade(Attributes(Decimal("1200"), "large", "x", "y"), rule).grade == "核心"  # 50 + 20
    assert grade(Attributes(Decimal("0"), "micro", "x", "y"), rule).grade == "潜在"


def test_a_rule_whose_grades_could_never_be_reached_is_refused():
    definition = dict(DEFAULT_DEFINITION)
    definition["grades"] = [
        {"code": "A", "order": 1, "min_points": 50},
        {"code": "B", "order": 2, "min_points": 60},
    ]
    assert "thresholds_not_descending" in definition_problems(definition)


def test_a_rule_where_more_revenue_gives_fewer_points_is_refused():
    definition = dict(DEFAULT_DEFINITION)
    definition["revenue_bands"] = [{"min": "100", "points": 40}, {"min": "500", "points": 10}]
    assert definition_problems(definition) == ["band_points_decreasing"]
