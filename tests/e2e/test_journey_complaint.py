"""Journey 6, in a real browser: a complaint taken by phone with its recording,
investigated and found major, so a manager approves the solution, resolved, the notice
letter printed; the return visit finds the customer unsatisfied, the complaint
is reopened, settled again and closed.

Staff member 张三 logs and works it, supervisor 赵主管 proposes the solution and
marks it resolved, manager 孙经理 approves (on a phone).
"""

import re
from pathlib import Path

import pytest

from complaints.defaults import defaults_ensure
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import make_customer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 2048
DETAIL_URL = re.compile(r".*/complaints/\d+/$")


@pytest.fixture
def customer(unit_a, staff_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    defaults_ensure()
    return make_customer(unit_a, code="C300001", name="江南电子有限公司", visiting_person=staff_a)


def act(j, action: str, fields: dict | None = None, *, check: dict | None = None):
    """Fill the action card `#action-<action>` and submit it; back on the detail page."""
    page = j.page
    card = page.locator(f"#action-{action}")
    for name, value in (fields or {}).items():
        card.locator(f"[name={action}-{name}]").fill(value)
    for name, value in (check or {}).items():
        card.locator(f"input[name={action}-{name}][value={value}]").check()
    asked = []

    def answer(dialog):  # actions that change the case for good ask first
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    try:
        with page.expect_navigation():
            card.locator("button[type=submit]").click()
    finally:
        page.remove_listener("dialog", answer)
    page.wait_for_url(DETAIL_URL)
    page.wait_for_load_state("domcontentloaded")
    j.confirmations = asked
    return page


def check_again(j):
    """axe once more on a page already checked, now in another state."""
    j.axe_checked.discard(j.page.url.split("?")[0])
    j.check_accessibility()


def status(page) -> str:
    return page.locator(".page-header .badge").first.inner_text().strip()


def test_a_phone_complaint_goes_from_recording_to_a_reopened_and_finally_closed_case(
    journey, customer, staff_a, supervisor_a, manager_a, tmp_path
):
    recording = tmp_path / "来电录音.mp3"
    recording.write_bytes(MP3)

    # 张三 takes the call and logs it with the recording.
    staff = journey(DESKTOP, suffix="staff")
    staff.login("staff_a")
    page = staff.goto("/complaints/new/")
    assert page.locator("h1").inner_text() == "登记投诉"
    staff.check_accessibility()
    page.fill("input[name=customer]", "C300001")
    page.select_option("select[name=channel]", "phone")
    page.fill("input[name=complainant]", "王经理")
    page.fill("input[name=contact_phone]", "13912345678")
    page.set_input_files("input[name=recording]", str(recording))
    page.fill(
        "textarea[name=content]", "10月20日发往杭州的一批显示屏到货时外箱破损，三台屏幕碎裂。"
    )
    page.fill("textarea[name=demand]", "赔偿损失并说明原因")
    page.select_option("select[name=category]", label="货物破损")
    assert page.is_checked("input[name=severity][value=normal]")
    staff.shot("log-form")
    page.locator("form.complaint-form button[type=submit]").click()
    page.wait_for_url(DETAIL_URL)
    complaint_url = page.url
    assert "已登记，处理期限为" in page.locator(".alert-success").inner_text()
    assert status(page) == "已受理"
    assert "重大" not in page.locator(".page-header").inner_text()
    assert page.get_by_role("link", name="下载录音").is_visible()
    staff.check_accessibility()
    staff.shot("logged")

    # The recording comes back as the file that was uploaded.
    with page.expect_download() as download:
        page.get_by_role("link", name="下载录音").click()
    assert download.value.suggested_filename.endswith(".mp3")
    assert Path(download.value.path()).read_bytes() == MP3

    # 张三 investigates and finds it serious: he marks it major.
    act(staff, "start", {"comment": "已联系承运车队核实"})
    assert status(page) == "调查中"
    page.locator("#action-findings").get_by_label("重大投诉").check()
    act(
        staff,
        "findings",
        {"cause": "装车时未加固，途中急刹导致货物倾倒。", "responsible_department": "杭州分拨中心"},
    )
    assert "杭州分拨中心" in page.locator("section[aria-labelledby=handling-title]").inner_text()
    assert "重大" in page.locator(".page-header").inner_text()
    assert "已标记为重大投诉" in page.locator(".complaint-timeline").inner_text()
    assert page.locator("#action-findings").get_by_label("重大投诉").count() == 0
    check_again(staff)
    staff.shot("investigated")

    # 赵主管 proposes the solution; a major complaint waits for the manager.
    supervisor = journey(DESKTOP, suffix="supervisor")
    supervisor.login("supervisor_a")
    spage = supervisor.goto(complaint_url.removeprefix(supervisor.base))
    act(supervisor, "propose", {"solution": "按货值赔偿三台显示屏，并对装车班组加固培训。"})
    assert status(spage) == "待经理审批"
    assert spage.locator("#action-resolve").count() == 0
    supervisor.check_accessibility()
    supervisor.shot("awaiting-approval")

    # 孙经理 approves it on a phone.
    manager = journey(PHONE, suffix="manager")
    manager.login("manager_a")
    mpage = manager.goto(complaint_url.removeprefix(manager.base))
    manager.assert_no_horizontal_scroll()
    manager.check_accessibility()
    act(manager, "approve", {"comment": "同意赔偿。"})
    assert status(mpage) == "已批准"
    handling = mpage.locator("section[aria-labelledby=handling-title]").inner_text()
    assert re.search(r"孙经理 于 (\d{4}年)?\d{1,2}月\d{1,2}日 周. \d\d:\d\d 批准", handling), (
        handling
    )
    manager.assert_no_horizontal_scroll()
    check_again(manager)
    manager.shot("approved")

    # 赵主管 marks it resolved; the notice letter can now be printed.
    supervisor.goto(complaint_url.removeprefix(supervisor.base))
    act(supervisor, "resolve")
    assert status(spage) == "已解决"
    check_again(supervisor)
    supervisor.shot("resolved")

    # 张三 sends the written notice and prints the letter.
    staff.goto(complaint_url.removeprefix(staff.base))
    act(staff, "notify")
    assert status(page) == "已通知客户"
    page.add_init_script("window.__printed = 0; window.print = () => { window.__printed += 1; };")
    page.get_by_role("link", name="处理结果通知书").click()
    page.wait_for_url(re.compile(r".*/complaints/\d+/notice/$"))
    letter = page.locator("article.letter")
    assert letter.locator("h1").inner_text() == "客户投诉处理结果通知书"
    assert "江南电子有限公司" in letter.inner_text()
    assert "按货值赔偿三台显示屏" in letter.inner_text()
    staff.check_accessibility()
    page.locator(".print-toolbar [data-print]").click()
    assert page.evaluate("window.__printed") == 1
    staff.shot("notice-letter")
    page.get_by_role("link", name="返回投诉").click()
    page.wait_for_url(DETAIL_URL)

    # The return visit: the customer is not satisfied, the complaint reopens.
    act(staff, "return_visit", {"note": "客户认为赔偿金额偏低。"}, check={"satisfied": "no"})
    assert staff.confirmations and "回访" in staff.confirmations[0]
    assert status(page) == "调查中"
    assert "已重新处理 1 次" in page.locator(".page-header").inner_text()
    check_again(staff)
    staff.shot("reopened")

    # A second round: new solution, approval, resolution, notice.
    supervisor.goto(complaint_url.removeprefix(supervisor.base))
    act(supervisor, "propose", {"solution": "按货值加运费全额赔偿，并免收下一批运费。"})
    manager.goto(complaint_url.removeprefix(manager.base))
    act(manager, "approve")
    supervisor.goto(complaint_url.removeprefix(supervisor.base))
    act(supervisor, "resolve")
    staff.goto(complaint_url.removeprefix(staff.base))
    act(staff, "notify")
    act(staff, "return_visit", {"note": "客户接受。"}, check={"satisfied": "yes"})
    assert status(page) == "已结案"
    assert "该投诉已结案。" in page.content()
    timeline = page.locator(".complaint-timeline").inner_text()
    assert timeline.count("批准") >= 2
    check_again(staff)
    staff.shot("closed")

    # The register lists it closed.
    register = staff.goto("/complaints/?status=closed")
    assert "江南电子有限公司" in register.locator("main").inner_text()
    staff.check_accessibility()
    staff.shot("register")
    for j in (staff, supervisor, manager):
        assert not j.console_errors, j.console_errors
