"""Pure grading rules: customer attributes + a rule -> grade, points, breakdown.

No ORM and no settings here, so the rules test without a database. A rule is
data that admins edit; it is stored as a JSON
definition on customers.models.GradingRule and turned into a `Rule` here.

Definition format:

    {
      "grades": [{"code": "A", "name": "A", "order": 1, "min_points": 80,
                  "visits_per_month": 3, "calls_per_week": 2}, ...],
      "revenue_bands": [{"min": "1000", "points": 50}, ...],   # 万元, lower bound inclusive
      "scale": {"large": 20, ...},
      "trend": {"growing": 15, ...},
      "nature": {"manufacturer": 15, ...}
    }

Every customer gets exactly one grade: the grade with the highest threshold
that the total reaches; a total below every threshold gets the lowest grade.
"""

from dataclasses import dataclass, field
from decimal import Decimal

CRITERIA = ("revenue", "scale", "trend", "nature")


@dataclass(frozen=True)
class GradeDef:
    code: str
    name: str
    order: int
    min_points: int
    visits_per_month: int
    calls_per_week: int


@dataclass(frozen=True)
class Cadence:
    visits_per_month: int
    calls_per_week: int


@dataclass(frozen=True)
class Attributes:
    annual_revenue: Decimal
    scale: str
    trend: str
    nature: str


@dataclass(frozen=True)
class Result:
    grade: str
    points: int
    breakdown: dict = field(default_factory=dict)  # criterion -> {"value": ..., "points": n}


@dataclass(frozen=True)
class Rule:
    grades: tuple[GradeDef, ...]
    revenue_bands: tuple[tuple[Decimal, int], ...]  # (lower bound in 万元, points), high to low
    scale: dict
    trend: dict
    nature: dict

    @classmethod
    def from_definition(cls, definition: dict) -> "Rule":
        grades = tuple(
            sorted(
                (
                    GradeDef(
                        code=str(g["code"]),
                        name=str(g.get("name") or g["code"]),
                        order=int(g.get("order", i + 1)),
                        min_points=int(g["min_points"]),
                        visits_per_month=int(g.get("visits_per_month", 0)),
                        calls_per_week=int(g.get("calls_per_week", 0)),
                    )
                    for i, g in enumerate(definition["grades"])
                ),
                key=lambda g: g.order,
            )
        )
        if not grades:
            raise ValueError("a rule needs at least one grade")
        bands = tuple(
            sorted(
                (
                    (Decimal(str(b["min"])), int(b["points"]))
                    for b in definition.get("revenue_bands", [])
                ),
                reverse=True,
            )
        )
        return cls(
            grades=grades,
            revenue_bands=bands,
            scale={str(k): int(v) for k, v in definition.get("scale", {}).items()},
            trend={str(k): int(v) for k, v in definition.get("trend", {}).items()},
            nature={str(k): int(v) for k, v in definition.get("nature", {}).items()},
        )

    def to_definition(self) -> dict:
        return {
            "grades": [
                {
                    "code": g.code,
                    "name": g.name,
                    "order": g.order,
                    "min_points": g.min_points,
                    "visits_per_month": g.visits_per_month,
                    "calls_per_week": g.calls_per_week,
                }
                for g in self.grades
            ],
            "revenue_bands": [{"min": str(low), "points": pts} for low, pts in self.revenue_bands],
            "scale": dict(self.scale),
            "trend": dict(self.trend),
            "nature": dict(self.nature),
        }

    def revenue_points(self, revenue: Decimal) -> int:
        for low, points in self.revenue_bands:
            if revenue >= low:
                return points
        return 0

    def band_floor(self, band: int) -> Decimal:
        """A revenue that falls in band number `band` (high to low; -1: below every band).

        Grading a customer at the floor of its band gives the points of the
        band, so a preview can group customers by band instead of by revenue.
        """
        if 0 <= band < len(self.revenue_bands):
            return self.revenue_bands[band][0]
        lowest = self.revenue_bands[-1][0] if self.revenue_bands else Decimal(0)
        return min(lowest, Decimal(0)) - 1

    def big_customer_floor(self, bands: int) -> Decimal | None:
        """The annual revenue (万元) from which a customer is a big customer: the
        lower bound of the `bands`-th highest revenue band, so the rule's top
        `bands` bands are the big-customer bands (大客户级别的划分以其年收入为依据);
        None when the rule has no bands or `bands` is below 1."""
        if bands < 1 or not self.revenue_bands:
            return None
        return self.revenue_bands[min(bands, len(self.revenue_bands)) - 1][0]

    def band_of(self, revenue: Decimal) -> int:
        """The number of the band `revenue` (万元) falls in, high to low; -1 below all."""
        for index, (low, _points) in enumerate(self.revenue_bands):
            if revenue >= low:
                return index
        return -1

    def grade_def(self, code: str) -> GradeDef | None:
        return next((g for g in self.grades if g.code == code), None)

    def grade_names(self) -> dict[str, str]:
        return {g.code: g.name for g in self.grades}

    def grade_for_points(self, points: int) -> GradeDef:
        """Highest grade whose threshold the points reach; the lowest grade otherwise."""
        by_threshold = sorted(self.grades, key=lambda g: (g.min_points, -g.order), reverse=True)
        for grade in by_threshold:
            if points >= grade.min_points:
                return grade
        return by_threshold[-1]

    def cadence(self) -> dict[str, Cadence]:
        return {g.code: Cadence(g.visits_per_month, g.calls_per_week) for g in self.grades}

    def grade_codes(self) -> list[str]:
        return [g.code for g in self.grades]


def grade(attributes: Attributes, rule: Rule) -> Result:
    """Grade one customer under `rule`, with the points of each criterion."""
    revenue = Decimal(attributes.annual_revenue or 0).quantize(Decimal("0.01"))
    breakdown = {
        "revenue": {"value": str(revenue), "points": rule.revenue_points(revenue)},
        "scale": {"value": attributes.scale, "points": rule.scale.get(attributes.scale, 0)},
        "trend": {"value": attributes.trend, "points": rule.trend.get(attributes.trend, 0)},
        "nature": {"value": attributes.nature, "points": rule.nature.get(attributes.nature, 0)},
    }
    total = sum(item["points"] for item in breakdown.values())
    return Result(grade=rule.grade_for_points(total).code, points=total, breakdown=breakdown)


def definition_problems(definition: dict) -> list[str]:
    """What makes a definition unusable, as short English codes for the form to word.

    Grades need distinct codes and orders, and a better grade (lower order)
    must need strictly more points than a worse one, or a grade could never be
    reached; revenue bands need distinct lower bounds, and a higher band may not
    give fewer points than a lower one.
    """
    problems = []
    grades = definition.get("grades") or []
    if not grades:
        return ["no_grades"]
    codes = [str(g["code"]) for g in grades]
    if len(set(codes)) != len(codes):
        problems.append("duplicate_codes")
    orders = [int(g.get("order", 0)) for g in grades]
    if len(set(orders)) != len(orders):
        problems.append("duplicate_orders")
    by_order = sorted(grades, key=lambda g: int(g.get("order", 0)))
    thresholds = [int(g["min_points"]) for g in by_order]
    if any(a <= b for a, b in zip(thresholds, thresholds[1:], strict=False)):
        problems.append("thresholds_not_descending")
    bands = sorted(
        (Decimal(str(b["min"])), int(b["points"])) for b in definition.get("revenue_bands", [])
    )
    if len({low for low, _points in bands}) != len(bands):
        problems.append("duplicate_bands")
    # More revenue must never give fewer points, or more revenue could lower a grade.
    if any(a[1] > b[1] for a, b in zip(bands, bands[1:], strict=False)):
        problems.append("band_points_decreasing")
    return problems


# The rule shipped on a new installation. The cadence is the big-customer
# management plan's table (大客户管理方案): A 3 visits a month and 2 calls a
# week, B 2 and 2, C 1 and 2, D 2 and 1 (D more visits than C, as the plan
# asks, to win the small customers over). Admins edit it on the grading page;
# customers/migrations/0019_default_cadence_from_source.py moved existing
# databases that still held the earlier D value (1 visit).
DEFAULT_DEFINITION = {
    "grades": [
        {
            "code": "A",
            "name": "A",
            "order": 1,
            "min_points": 80,
            "visits_per_month": 3,
            "calls_per_week": 2,
        },
        {
            "code": "B",
            "name": "B",
            "order": 2,
            "min_points": 60,
            "visits_per_month": 2,
            "calls_per_week": 2,
        },
        {
            "code": "C",
            "name": "C",
            "order": 3,
            "min_points": 35,
            "visits_per_month": 1,
            "calls_per_week": 2,
        },
        {
            "code": "D",
            "name": "D",
            "order": 4,
            "min_points": 0,
            "visits_per_month": 2,
            "calls_per_week": 1,
        },
    ],
    "revenue_bands": [
        {"min": "1000", "points": 50},
        {"min": "500", "points": 40},
        {"min": "200", "points": 30},
        {"min": "50", "points": 20},
        {"min": "10", "points": 10},
    ],
    "scale": {"large": 20, "medium": 12, "small": 6, "micro": 0},
    "trend": {"growing": 15, "stable": 8, "declining": 0},
    "nature": {
        "manufacturer": 15,
        "distributor": 12,
        "ecommerce": 12,
        "trading": 10,
        "retailer": 8,
        "other": 5,
    },
}
