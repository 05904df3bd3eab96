"""Field use: what a five-entry daily report costs on a 390 px phone.

The same day is filed twice, from the home page to the submitted report: the
way it had to be done before the phone layout (the time typed on every entry,
visit or call picked again after each "save and add another", the last entry
saved, then the report opened and submitted), and the way the phone layout
allows (visit or call kept, the time moved on by the form, "Submit" in the
bar saves the last entry and submits). Counted: page loads (documents loaded
in the tab), taps (buttons, links, choices and the confirm dialog) and fields
typed into. The figures go to artifacts/e2e/field-use.json; README.md, "Field
use", quotes them.

The five contacts: two visits then three calls, half an hour apart.
"""

import json
import re

import pytest

from tests.e2e.conftest import ARTIFACTS, PHONE
from tests.factories import make_customer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

KINDS = ["visit", "visit", "call", "call", "call"]
TEXTS = [
    ("客户希望增加一趟华东干线班车", "客户满意"),
    ("询问冷链仓储报价", "已发报价单"),
    ("反映上周到货延误一天", "已致歉并说明原因"),
    ("确认下周提货时间", "已安排车辆"),
    ("对账单核对无误", "客户确认"),
]


class FieldUse:
    """Counts what the user does on `page`: documents loaded, taps, fields typed into."""

    def __init__(self, page):
        self.page = page
        self.loads = self.taps = self.fields = 0
        page.on("load", self._loaded)

    def _loaded(self, _page):
        self.loads += 1

    def tap(self, locator):
        self.taps += 1
        locator.click()

    def tap_and_confirm(self, locator):
        """A tap whose "are you sure?" dialog is answered yes: two taps."""
        self.taps += 2
        self.page.once("dialog", lambda dialog: dialog.accept())
        locator.click()

    def type(self, selector: str, text: str):
        self.fields += 1
        self.page.fill(selector, text)

    def figures(self) -> dict:
        return {"page_loads": self.loads, "taps": self.taps, "fields": self.fields}


@pytest.fixture
def customers(unit_a, staff_a, staff_a2):
    """Five customers each for the two staff members (one files the old way, one the new)."""
    return {
        user.username: [
            make_customer(unit_a, name=f"{user.last_name or ''}客户{n}", visiting_person=user)
            for n in range(5)
        ]
        for user in (staff_a, staff_a2)
    }


def open_new_entry(use: FieldUse):
    page = use.page
    use.tap(page.get_by_role("link", name="开始填写今日日报表"))
    page.wait_for_url("**/visits/reports/new/")
    use.tap(page.get_by_role("button", name="开始填写今日日报表"))
    page.wait_for_url(re.compile(r".*/visits/reports/\d+/$"))
    use.tap(page.get_by_role("link", name="新增记录"))
    page.wait_for_url(re.compile(r".*/entries/new/"))


def pick_kind(use: FieldUse, kind: str, *, old_form: bool):
    """The old form came back as a visit after every save: each call was a tap."""
    index = 0 if kind == "visit" else 1
    if (old_form and kind == "call") or not use.page.is_checked(f"#id_kind_{index}"):
        use.tap(use.page.locator(f"label[for=id_kind_{index}]"))


def fill_entry(use: FieldUse, n: int, customer, *, time: str | None, old_form: bool = False):
    use.type("input[name=customer]", customer.code)
    pick_kind(use, KINDS[n], old_form=old_form)
    if time is not None:
        use.type("input[name=time]", time)
    use.type("textarea[name=opinions]", TEXTS[n][0])
    use.type("textarea[name=effect]", TEXTS[n][1])


def saved(page, customer):
    page.get_by_text(f"{customer.name} 的记录已保存。").wait_for()


def times_of_day() -> list[str]:
    """Half-hour steps from 00:05: on today's report a later time than now is refused."""
    return [f"{(5 + 30 * n) // 60:02d}:{(5 + 30 * n) % 60:02d}" for n in range(5)]


def file_the_old_way(j, customers) -> dict:
    page = j.login("staff_a")
    use = FieldUse(page)
    open_new_entry(use)
    for n, customer in enumerate(customers):
        # The form came back with a visit at the current time: both set again.
        fill_entry(use, n, customer, time=times_of_day()[n], old_form=True)
        last = n == len(customers) - 1
        name = "保存记录" if last else "保存并继续新增"
        use.tap(page.locator(".entry-form-actions").get_by_role("button", name=name))
        saved(page, customer)
    use.tap_and_confirm(page.locator(".submit-card button[type=submit]"))
    page.get_by_text("日报表已提交给主管。").wait_for()
    j.shot("old-way-submitted")
    return use.figures()


def file_the_phone_way(j, customers) -> dict:
    page = j.login("staff_a2")
    use = FieldUse(page)
    open_new_entry(use)
    for n, customer in enumerate(customers):
        # Only the first time is typed: the form moves it on after each save.
        fill_entry(use, n, customer, time=times_of_day()[0] if n == 0 else None)
        bar = page.locator(".entry-form-actions")
        if n < len(customers) - 1:
            if n == 2:
                j.shot("phone-way-entry")
            use.tap(bar.get_by_role("button", name="保存并继续新增"))
            saved(page, customer)
        else:
            use.tap_and_confirm(bar.get_by_role("button", name="提交"))
    page.get_by_text("日报表已提交给主管。").wait_for()
    assert page.locator(".entry-card").count() == 5
    kinds = [k.strip() for k in page.locator(".entry-card .badge").all_inner_texts()]
    assert kinds == ["走访", "走访", "电话", "电话", "电话"]
    times = page.locator(".entry-card .card-header .text-body-secondary").all_inner_texts()
    assert times == sorted(times)
    j.check_accessibility()
    j.shot("phone-way-submitted")
    return use.figures()


def test_a_five_entry_report_on_a_phone_takes_fewer_taps_fields_and_page_loads(
    journey, staff_a, staff_a2, customers
):
    before = file_the_old_way(journey(PHONE, suffix="before"), customers["staff_a"])
    after = file_the_phone_way(journey(PHONE, suffix="after"), customers["staff_a2"])
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "field-use.json").write_text(
        json.dumps({"viewport": PHONE, "entries": 5, "before": before, "after": after}, indent=2)
    )
    for figure in ("page_loads", "taps", "fields"):
        assert after[figure] < before[figure], (figure, before, after)
