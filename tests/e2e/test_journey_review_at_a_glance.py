"""Review at a glance, at 1440 px: the supervisor finds the report under
"awaiting me" on the home page, reads whole entries in the queue, marks one
entry "needs changes" and returns the report; the staff member corrects that
entry and resubmits; the queue marks the resubmission with the earlier comment
and the changed field, and "review and open the next" moves on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.e2e.conftest import DESKTOP, confirm_click
from tests.factories import make_customer, make_daily_report, make_entry
from visits import services
from visits.services import EntryContent

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def two_reports(unit_a, staff_a, staff_a2):
    """Yesterday's reports of staff_a (two entries) and staff_a2 (one), submitted."""
    day = timezone.localdate() - timedelta(days=1)
    mine = make_daily_report(staff_a, day)
    make_entry(
        mine,
        make_customer(unit_a, name="上海远航物流", grade="B", visiting_person=staff_a),
        at="09:00",
        opinions="希望增加夜间提货",
        market="对手整车线路降价8%",
        effect="客户愿意试用新线路",
        handling="已报价",
    )
    make_entry(
        mine,
        make_customer(unit_a, name="杭州顺达仓储", grade="A", visiting_person=staff_a),
        kind="call",
        at="10:00",
    )
    services.daily_report_submit(report=mine, actor=staff_a)
    theirs = make_daily_report(staff_a2, day - timedelta(days=1))
    make_entry(theirs, make_customer(unit_a, name="苏州电子", visiting_person=staff_a2), at="09:00")
    services.daily_report_submit(report=theirs, actor=staff_a2)
    return mine, theirs


def test_supervisor_marks_an_entry_sees_the_resubmitted_change_and_moves_on(
    journey, staff_a, supervisor_a, two_reports
):
    mine, theirs = two_reports
    boss = journey(DESKTOP, suffix="supervisor")
    home = boss.login("supervisor_a")
    panel = home.locator(".home-panel-awaiting")
    assert "待我处理" in panel.inner_text() and "日报表" in panel.inner_text()
    assert "审阅日报表" in panel.inner_text()
    boss.check_accessibility()
    boss.shot("home-awaiting-me")

    page = boss.goto("/visits/reports/review/")
    card = page.locator(f"#report-{mine.pk}")
    entry = card.locator(".review-entries > li", has_text="上海远航物流")
    # Collapsed to one line; opened, the whole entry is in the queue.
    entry.locator("summary").first.click()
    for text in ("希望增加夜间提货", "对手整车线路降价8%", "客户愿意试用新线路", "已报价"):
        assert text in entry.inner_text()
    entry.locator("summary", has_text="标注为").click()
    entry.locator("textarea[name=flag_comment]").fill("请写明报价金额和有效期")
    entry.get_by_role("button", name="保存标注").click()
    page.get_by_text("已将记录标注为需修改。").wait_for()
    card = page.locator(f"#report-{mine.pk}")
    assert "请写明报价金额和有效期" in card.inner_text()
    boss.check_accessibility()
    boss.shot("entry-marked")
    card.locator("textarea[name=comment]").fill("请按标注修改后重新提交。")
    confirm_click(card.get_by_role("button", name="退回修改"))
    page.get_by_text("的日报表已连同您的意见退回。").wait_for()

    first = mine.entries.get(customer__name="上海远航物流")
    services.daily_report_entry_update(
        entry=first,
        actor=staff_a,
        content=EntryContent(
            customer=first.customer,
            kind=first.kind,
            occurred_at=first.occurred_at,
            opinions=first.opinions,
            market=first.market,
            effect=first.effect,
            handling="已报价每吨120元，有效期至月底",
        ),
    )
    services.daily_report_submit(report=mine, actor=staff_a)

    page = boss.goto("/visits/reports/review/")
    card = page.locator(f"#report-{mine.pk}")
    notice = card.locator(".resubmission-notice")
    assert "重新提交" in notice.inner_text() and "请按标注修改后重新提交。" in notice.inner_text()
    assert "1 条记录有修改" in notice.inner_text()
    changed = card.locator(".review-entries > li", has_text="上海远航物流")
    assert changed.locator(".field-changed").count() == 1
    assert "已报价每吨120元，有效期至月底" in changed.inner_text()
    boss.axe_checked.clear()
    boss.check_accessibility()
    boss.shot("resubmitted-in-queue")

    # The older report comes first; reviewing it opens the resubmitted one.
    page.locator(f"#report-{theirs.pk}").get_by_role("button", name="审阅并打开下一份").click()
    page.wait_for_url(f"**/visits/reports/{mine.pk}/")
    assert "请按标注修改后重新提交。" in page.locator(".resubmission-notice").inner_text()
    boss.check_accessibility()
    boss.shot("next-report")
    page.get_by_role("button", name="审阅并打开下一份").click()
    page.get_by_text("没有其他待审阅的日报表了。").wait_for()
    boss.shot("queue-empty")
    assert not boss.console_errors, boss.console_errors
