"""A journey in a real browser, on a wide screen and on a phone: a phone
complaint about a lost parcel with two waybill numbers (one typed, one pasted),
the claim (理赔) filed on both with a photo, the loss assessed, approved by the
person the amount needs, paid out; the complaint's resolution waits for the
claim, then the notice by phone and the return visit close the case. The
claims register and both waybills' pages show it.

Staff member 张三 takes the call, files and assesses the claim and tells the
customer; supervisor 赵主管 may not approve an amount above the unit's
threshold, so manager 孙经理 does; 赵主管 records the payout and the
resolution.
"""

import re

import pytest
from playwright.sync_api import expect

from complaints.claims.models import Claim
from complaints.defaults import defaults_ensure
from complaints.models import Complaint
from tests.e2e.conftest import DESKTOP, PHONE
from tests.factories import make_customer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256
WAYBILLS = ("SF1234567890", "YT9876543210")
COMPLAINT_URL = re.compile(r".*/complaints/\d+/$")
CLAIM_URL = re.compile(r".*/complaints/claims/\d+/$")


@pytest.fixture
def customer(unit_a, staff_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    defaults_ensure()
    return make_customer(unit_a, code="C400001", name="申通电子商行", visiting_person=staff_a)


def act(
    j,
    action: str,
    fields: dict | None = None,
    *,
    check: dict | None = None,
    select: dict | None = None,
    back=None,
):
    """Fill the action card `#action-<action>`, submit it (saying yes to a
    confirmation) and wait for the page it leads to."""
    page = j.page
    card = page.locator(f"#action-{action}")
    for name, value in (fields or {}).items():
        card.locator(f"[name={action}-{name}]").fill(value)
    for name, value in (check or {}).items():
        card.locator(f"input[name={action}-{name}][value={value}]").check()
    for name, value in (select or {}).items():
        card.locator(f"select[name={action}-{name}]").select_option(value)
    button = card.locator("button[type=submit]")
    assert_reachable(j, button)
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        button.click()
    page.wait_for_load_state("domcontentloaded")
    if back is not None:
        page.wait_for_url(back)
    return page


def assert_reachable(j, locator) -> None:
    """The control lies wholly inside the window's width once scrolled to: on
    a phone nobody can reach a button pushed off the right edge."""
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    width = j.page.viewport_size["width"]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (
        f"{locator} is outside the window: {box}, width {width}"
    )


def open_as(j, url: str):
    return j.goto(url.removeprefix(j.base))


def look(j, label: str, *, again: bool = False):
    """axe (again on a page already checked, now in another state), the phone's
    width, and a screenshot."""
    if again:
        j.axe_checked.discard(j.page.url.split("?")[0])
    j.check_accessibility()
    j.assert_no_horizontal_scroll()
    j.shot(label)


def claim_state(page) -> str:
    return page.locator(".page-header .claim-state").first.get_attribute("data-state")


def complaint_status(page) -> str:
    return page.locator(".page-header .badge").first.inner_text().strip()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_a_lost_parcel_is_claimed_approved_by_a_manager_paid_and_the_complaint_closed(
    journey, viewport, customer, staff_a, supervisor_a, manager_a, tmp_path
):
    photo = tmp_path / "面单照片.png"
    photo.write_bytes(PNG)
    staff = journey(viewport, suffix="staff")
    supervisor = journey(viewport, suffix="supervisor")
    manager = journey(viewport, suffix="manager")

    # 张三 takes the phone call about the lost parcel: he types the first
    # waybill number as the customer reads it out and pastes the second, in
    # full-width digits, from the customer's chat message.
    staff.login("staff_a")
    page = staff.goto("/complaints/new/")
    page.fill("input[name=customer]", "C400001")
    page.select_option("select[name=channel]", "phone")
    page.fill("input[name=complainant]", "钱先生")
    page.fill("input[name=contact_phone]", "13911112222")
    page.fill(
        "textarea[name=content]", "12月1日寄往成都的包裹至今未到，查询显示在分拨中心后再无记录。"
    )
    waybill_field = page.locator("textarea[name=waybills]")
    waybill_field.press_sequentially("sf1234567890")
    waybill_field.press("Enter")
    page.keyboard.insert_text("ＹＴ９８７６５４３２１０")
    page.fill("textarea[name=demand]", "按申报价值赔偿")
    page.select_option("select[name=category]", label="货物丢失")
    look(staff, "complaint-form")
    submit = page.locator("form.complaint-form button[type=submit]")
    assert_reachable(staff, submit)
    submit.click()
    page.wait_for_url(COMPLAINT_URL)
    complaint_url = page.url
    complaint = Complaint.objects.get()
    assert sorted(complaint.waybills.values_list("number", flat=True)) == list(WAYBILLS)
    shown = page.locator(".complaint-waybills .waybill-numbers a")
    assert sorted(t.strip() for t in shown.all_inner_texts()) == list(WAYBILLS)
    assert page.locator(".complaint-waybills a[href$='/waybills/YT9876543210/']").count() == 1
    act(staff, "start", {"comment": "已向分拨中心查件"}, back=COMPLAINT_URL)
    assert page.locator("#claims").is_visible()
    look(staff, "complaint-with-claims-section")

    # He files the claim from the complaint's page, on both waybills, with a
    # photo of the label.
    new_claim = page.locator("#claims a[href$='/claims/new/']")
    assert_reachable(staff, new_claim)
    new_claim.click()
    page.wait_for_url(re.compile(r".*/complaints/\d+/claims/new/$"))
    page.select_option("select[name=kind]", "lost")
    offered = page.locator("input[name=waybills]")
    assert offered.count() == 2
    for i in range(2):
        offered.nth(i).check()
    page.fill("input[name=amount_claimed]", "6800.00")
    page.fill("input[name=declared_value]", "7000.00")
    page.check("input[name=insured]")
    page.fill("textarea[name=description]", "包裹在分拨中心遗失，客户已提供面单照片。")
    assert "10 MB" in page.locator("form.claim-form").inner_text()  # the limit is said
    page.set_input_files("input[name=evidence]", str(photo))
    look(staff, "claim-form")
    submit = page.locator("form.claim-form button[type=submit]")
    assert_reachable(staff, submit)
    submit.click()
    page.wait_for_url(CLAIM_URL)
    claim_url = page.url
    claim = Claim.objects.get()
    assert claim.complaint_id == complaint.pk
    assert claim_state(page) == "accepted"
    assert claim.number in page.locator("h1").inner_text()
    facts = page.locator(".claim-facts").inner_text()
    assert all(number in facts for number in WAYBILLS)
    assert "¥7000.00 · 保价" in facts
    assert page.locator(".claim-amount-claimed").inner_text().strip() == "¥6800.00"
    assert page.locator(".claim-evidence a").inner_text().strip() == "面单照片.png"
    look(staff, "claim-accepted")

    # He assesses the loss: above the unit's threshold, so a manager approves.
    act(staff, "assess", {"assessed_amount": "6500.00", "note": "按保价条款核定。"}, back=CLAIM_URL)
    assert claim_state(page) == "assessed"
    assert page.locator(".claim-amount-assessed").inner_text().startswith("¥6500.00")
    assert page.locator("#action-approve").count() == 0  # not his own claim to approve
    assert page.locator(".claim-needs-manager").is_visible()
    look(staff, "claim-assessed", again=True)

    # 赵主管 may not approve it; on the complaint, the resolution waits for the claim.
    supervisor.login("supervisor_a")
    spage = open_as(supervisor, claim_url)
    assert spage.locator("#action-approve").count() == 0
    assert spage.locator("#action-pay").count() == 0
    assert "¥5000.00" in spage.locator(".claim-facts").inner_text()  # the threshold named
    look(supervisor, "claim-for-supervisor")
    open_as(supervisor, complaint_url)
    act(
        supervisor,
        "propose",
        {
            "cause": "分拨中心交接漏扫，包裹遗失。",
            "responsible_department": "成都分拨中心",
            "solution": "按保价金额赔付，并电话告知客户。",
        },
        back=COMPLAINT_URL,
    )
    act(supervisor, "resolve")
    refusal = spage.locator("#action-resolve .alert-danger")
    assert claim.number in refusal.inner_text()
    expect(refusal).to_be_in_viewport()  # where the page opens, on a phone too
    assert complaint_status(spage) == "已提出方案"
    look(supervisor, "resolution-waits-for-the-claim")

    # 孙经理 approves it.
    manager.login("manager_a")
    mpage = open_as(manager, claim_url)
    assert mpage.locator("#action-approve").is_visible()
    look(manager, "claim-for-manager")
    act(manager, "approve", {"comment": "同意按定损金额赔付。"}, back=CLAIM_URL)
    assert claim_state(mpage) == "approved"
    assert "孙经理" in mpage.locator(".claim-facts").inner_text()
    look(manager, "claim-approved", again=True)

    # 赵主管 records the payout, then the complaint's resolution.
    open_as(supervisor, claim_url)
    act(supervisor, "pay", {"paid_amount": "6500.00", "reference": "PAY-20261207"}, back=CLAIM_URL)
    assert claim_state(spage) == "paid"
    assert "¥6500.00" in spage.locator(".claim-amount-paid").inner_text()
    assert "PAY-20261207" in spage.locator(".claim-amount-paid").inner_text()
    look(supervisor, "claim-paid", again=True)
    open_as(supervisor, complaint_url)
    act(supervisor, "resolve", back=COMPLAINT_URL)
    assert complaint_status(spage) == "已解决"

    # 张三 tells the customer by phone (a general complaint may be), and the
    # page says how the notice went; then he makes the return visit.
    open_as(staff, complaint_url)
    act(
        staff,
        "notify",
        {"comment": "已电话告知客户处理结果及赔付金额。"},
        select={"means": "phone"},
        back=COMPLAINT_URL,
    )
    assert complaint_status(page) == "已通知客户"
    notice = page.locator(".complaint-notice")
    assert notice.locator("xpath=preceding-sibling::dt[1]").inner_text().strip() == "通知客户"
    assert "电话" in notice.inner_text()
    act(
        staff,
        "return_visit",
        {"note": "客户已收到赔款，表示满意。"},
        check={"satisfied": "yes"},
        back=COMPLAINT_URL,
    )
    assert complaint_status(page) == "已结案"
    assert "满意" in page.locator(".complaint-facts").last.inner_text()
    assert "¥6500.00" in page.locator("#claims").inner_text()
    look(staff, "complaint-closed", again=True)

    # The register lists it with the amount paid; the monthly payouts, to the cent.
    rpage = supervisor.goto("/complaints/claims/")
    row = rpage.locator(".claim-register tbody tr", has_text=claim.number)
    assert row.count() == 1
    assert "¥6500.00" in row.locator("td").nth(7).inner_text()
    assert row.locator(".claim-state").get_attribute("data-state") == "paid"
    look(supervisor, "claims-register")
    ppage = supervisor.goto("/complaints/claims/payouts/")
    assert ppage.locator(".claim-payout-total").inner_text().strip() == "¥6500.00"
    look(supervisor, "monthly-payouts")

    # Each waybill's page shows the complaint and the claim paid on it (a
    # lower-case address leads there too).
    for number in WAYBILLS:
        wpage = staff.goto(f"/waybills/{number.lower()}/")
        wpage.wait_for_url(re.compile(rf".*/waybills/{number}/$"))
        mention = wpage.locator(".mention-complaint")
        assert mention.count() == 1
        assert complaint.number in mention.inner_text()
        assert "已结案" in mention.inner_text()
        paid = wpage.locator(".mention-claim")
        assert claim.number in paid.inner_text() and "赔付 ¥6500.00" in paid.inner_text()
        look(staff, f"waybill-{number}")

    for j in (staff, supervisor, manager):
        assert not j.console_errors, j.console_errors
