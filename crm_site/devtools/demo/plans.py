"""Demo service plans (one approved plan per unit for this month) and the demo
week's planned contacts (the nightly planner's run for today). Idempotent: the
plan is found by its title and the planner adds nothing on a second run."""

from calendar import monthrange

from django.utils import timezone

from crm_site.accounts.models import Membership, ServiceUnit, User
from visits.models import ServicePlan
from visits.plans.services import (
    planned_contacts_generate,
    service_plan_approve,
    service_plan_create,
)


def seed(out) -> None:
    today = timezone.localdate()
    start = today.replace(day=1)
    end = today.replace(day=monthrange(today.year, today.month)[1])
    made = 0
    for unit in ServiceUnit.objects.filter(is_active=True).order_by("code"):
        manager = (
            User.objects.filter(
                memberships__unit=unit, memberships__kind=Membership.Kind.MANAGER, is_active=True
            )
            .order_by("pk")
            .first()
        )
        title = f"{unit.name} {today:%Y年%m月}客户服务计划"
        if manager is None or ServicePlan.objects.filter(unit=unit, title=title).exists():
            continue
        people = User.objects.filter(
            memberships__unit=unit, memberships__kind=Membership.Kind.MEMBER, is_active=True
        )
        plan = service_plan_create(
            actor=manager,
            unit=unit,
            people=list(people),
            title=title,
            period=ServicePlan.Period.MONTH,
            start=start,
            end=end,
            goal_development="每位客服人员本月新开发一家潜在大客户，完成需求调查。",
            goal_relationship="A级客户每月三次走访、每周两次电话；节日问候全覆盖。",
            goal_after_sales="投诉当日受理、三日内回复；重点客户回访满意度。",
            key_services="仓储配送一体化；大客户专属对接人；月度运行分析报告。",
            survey_items=["timed_delivery", "goods_damage"],
            grades=["A", "B"],
            visits_target=60,
        )
        service_plan_approve(plan=plan, actor=manager)
        made += 1
    run = planned_contacts_generate(today=today)
    out.write(f"Service plans: {made} new; planned contacts: {run.created} new.")
