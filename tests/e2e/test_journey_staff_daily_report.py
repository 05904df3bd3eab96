"""Journey 1: a staff member files today's daily report on a 390 px phone.

Signs in (a wrong password first), opens today's report from the visits due,
adds three entries — a visit, a call and a flagged visit — meets a validation
error that keeps what was typed, closes the tab half way through an entry and
finds it again, submits; the visits due shrink by the three customers written
up; signs out. A second test logs a call straight from the due list.
"""

import copy
import re

import pytest
from django.utils import timezone

from customers.grading import DEFAULT_DEFINITION
from customers.models import GradingRule
from tests.e2e.conftest import PHONE, confirm_click
from tests.factories import make_customer, make_visit

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def book(staff_a, unit_a):
    """Four grade-D customers (1 visit a month, 1 call a week) of staff_a, and one A.

    Each D customer has exactly one thing left to do, so one entry clears it
    (the rule's D cadence set to 1 visit: the shipped one is tested in
    tests/customers/test_grading.py).
    """
    definition = copy.deepcopy(DEFAULT_DEFINITION)
    for grade in definition["grades"]:
        if grade["code"] == "D":
            grade["visits_per_month"] = 1
    GradingRule.objects.update_or_create(version=1, defaults={"definition": definition})
    now = timezone.now()
    called = make_customer(unit_a, name="上海远航物流", grade="D", visiting_person=staff_a)
    make_visit(called, staff_a, kind="call", occurred_at=now)
    visited = make_customer(unit_a, name="苏州恒达商贸", grade="D", visiting_person=staff_a)
    make_visit(visited, staff_a, kind="visit", occurred_at=now)
    flagged = make_customer(unit_a, name="杭州顺达仓储", grade="D", visiting_person=staff_a)
    make_visit(flagged, staff_a, kind="call", occurred_at=now)
    big = make_customer(unit_a, name="南京长江运输", grade="A", visiting_person=staff_a)
    return {"visit": called, "call": visited, "flagged": flagged, "big": big}


def due_count(page) -> int:
    return int(page.locator("#due-summary [data-due-count]").inner_text())


def due_names(page) -> list[str]:
    return page.locator("#due-list .due-row .due-main a").all_inner_texts()


def add_entry(j, customer, kind: str, **fields):
    """On the entry form: pick the customer by code, visit or call, fill the items."""
    page = j.page
    page.fill("input[name=customer]", customer.code)
    page.locator(f"label[for=id_kind_{0 if kind == 'visit' else 1}]").click()
    for name, text in fields.items():
        page.fill(f"textarea[name={name}]", text)


def test_staff_files_todays_report_on_a_phone_and_the_due_list_shrinks(journey, staff_a, book):
    j = journey(PHONE)
    page = j.goto("/accounts/login/")
    assert page.locator("h2").inner_text() == "登录"
    j.check_accessibility()
    page.fill("input[name=username]", "staff_a")
    page.fill("input[name=password]", "wrong")
    page.locator("form button[type=submit]").first.click()
    page.wait_for_load_state()
    assert "请输入一个正确的" in page.content()
    assert page.input_value("input[name=username]") == "staff_a"
    j.shot("wrong-password")

    j.login("staff_a")
    assert "张三，您好" in page.locator("h1").inner_text()
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("home")

    page = j.goto("/visits/due/")
    assert due_count(page) == 4
    assert sorted(due_names(page)) == sorted(c.name for c in book.values())
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("due-before")

    page.get_by_role("link", name="今日日报表").click()
    # Opening it creates nothing; the button starts the draft.
    page.get_by_role("button", name="开始填写今日日报表").click()
    page.wait_for_url(re.compile(r".*/visits/reports/\d+/$"))
    assert "0 条记录" in page.locator("#entries-title").inner_text()
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("report-empty")

    # 1. A visit, then "save and add another".
    page.get_by_role("link", name="新增记录").click()
    page.wait_for_url(re.compile(r".*/entries/new/$"))
    j.check_accessibility()
    add_entry(j, book["visit"], "visit", opinions="客户希望增加一趟华东干线班车", effect="客户满意")
    j.shot("entry-visit")
    page.get_by_role("button", name="保存并继续新增").click()
    # (The page drops ?saved= from its address at once, so wait for the message.)
    page.get_by_text("上海远航物流 的记录已保存。").wait_for()
    assert page.input_value("input[name=customer]") == ""

    # 2. A call: the items are optional one by one, but one must be written.
    add_entry(j, book["call"], "call")
    page.get_by_role("button", name="保存记录").click()
    page.wait_for_load_state("domcontentloaded")
    assert "请修改标出的字段，您填写的内容都已保留。" in page.content()
    assert "请至少填写一项巡访内容" in page.locator(".alert-danger").inner_text()
    assert page.input_value("input[name=customer]").startswith(book["call"].code)
    assert page.is_checked("#id_kind_1")
    j.check_accessibility()
    j.shot("entry-call-error")
    page.fill("textarea[name=handling]", "电话确认下周提货时间，已安排车辆")
    page.get_by_role("button", name="保存并继续新增").click()
    page.get_by_text("苏州恒达商贸 的记录已保存。").wait_for()

    # 3. A flagged visit: switched on without a reason, the form says why and
    # keeps everything typed, including the switch.
    add_entry(
        j,
        book["flagged"],
        "visit",
        market="竞争对手推出仓配一体化套餐，报价低约20%",
        opinions="客户考虑下季度转移部分仓储业务",
    )
    page.locator("label[for=id_needs_escalation]").click()
    page.get_by_role("button", name="保存记录").click()
    page.wait_for_load_state("domcontentloaded")
    reason = page.locator("#id_escalation_reason")
    assert "请说明需要上报的原因，以便主管处理。" in page.content()
    assert reason.get_attribute("aria-invalid") == "true"
    assert page.input_value("textarea[name=market]") == "竞争对手推出仓配一体化套餐，报价低约20%"
    assert page.input_value("textarea[name=opinions]") == "客户考虑下季度转移部分仓储业务"
    assert page.input_value("input[name=customer]").startswith(book["flagged"].code)
    assert page.is_checked("input[name=needs_escalation]")
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("entry-flagged-error")

    # The reason is typed, then the tab is closed before saving: the draft
    # saved as she typed comes back.
    reason.fill("竞争对手降价幅度大，需经理决定是否跟进")
    page.locator(".autosave-status", has_text="草稿已保存到服务器").wait_for()
    url = page.url
    page.goto("about:blank")
    page.goto(url)
    assert "已恢复您在" in page.locator(".draft-restored").inner_text()
    assert (
        page.input_value("textarea[name=escalation_reason]")
        == "竞争对手降价幅度大，需经理决定是否跟进"
    )
    assert page.input_value("textarea[name=market]") == "竞争对手推出仓配一体化套餐，报价低约20%"
    assert page.is_checked("input[name=needs_escalation]")
    j.shot("entry-flagged-restored")
    page.get_by_role("button", name="保存记录").click()
    page.get_by_text("杭州顺达仓储 的记录已保存。").wait_for()
    # (The message can show before the page's scripts have dropped ?saved=.)
    page.wait_for_url(re.compile(r".*/visits/reports/\d+/#entry-\d+$"))

    assert "3 条记录" in page.locator("#entries-title").inner_text()
    assert page.locator(".entry-card").count() == 3
    flagged = page.locator(".entry-card.entry-flagged")
    assert flagged.count() == 1
    assert "杭州顺达仓储" in flagged.inner_text()
    assert "需经理决定是否跟进" in flagged.inner_text()
    j.assert_no_horizontal_scroll()
    j.check_accessibility()
    j.shot("report-three-entries")

    page.fill("#id_note", "今日走访两家、电话一家")
    confirm_click(page.locator(".submit-card button[type=submit]"))
    page.wait_for_load_state("domcontentloaded")
    assert "日报表已提交给主管。" in page.content()
    assert "已提交" in page.locator("h1").inner_text()
    assert page.locator(".submit-card").count() == 0
    assert page.get_by_role("link", name="新增记录").count() == 0
    j.check_accessibility()
    j.shot("report-submitted")

    page = j.goto("/visits/due/")
    assert due_count(page) == 1
    assert due_names(page) == ["南京长江运输"]
    assert "3 个已达标" in page.locator("#due-summary").inner_text()
    j.assert_no_horizontal_scroll()
    j.shot("due-after")

    page.locator(".navbar-toggler").click()
    page.locator("#main-nav.show:not(.collapsing)").wait_for()
    page.locator(".user-menu .dropdown-toggle").click()
    page.locator(".dropdown-menu.show").wait_for()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_url("**/accounts/login/")
    assert not j.console_errors, j.console_errors


def test_logging_a_call_from_the_due_list_removes_the_row_without_leaving_the_page(
    journey, staff_a, book
):
    j = journey(PHONE)
    page = j.login("staff_a", then="/visits/due/")
    row = page.locator(f"#due-{book['call'].pk}")
    assert "本周电话 0/1" in row.inner_text()
    row.get_by_role("button", name="记录电话").click()
    page.locator("#due-toast:not(.d-none)").wait_for()
    assert "苏州恒达商贸" in page.locator("#due-toast").inner_text()
    assert page.url == j.base + "/visits/due/"
    assert row.count() == 0
    assert due_count(page) == 3
    j.check_accessibility()
    j.shot("due-call-logged")
    assert not j.console_errors, j.console_errors
