"""The customer watch (the seed's 竞争对手调查表 items, kept per customer): each
item changed or not with a note; a risky change tells the unit's supervisors."""

import uuid
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from crm_site.accounts.models import Role
from crm_site.core.models import Notification
from customers.models import CustomerChange
from customers.voice.models import WATCH_ITEMS, CustomerWatch
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db


def watch_post(**changes):
    """`changes`: item code -> note (the item is ticked as changed)."""
    data = {"reported_on": timezone.localdate().isoformat(), "form_token": str(uuid.uuid4())}
    for code, note in changes.items():
        data[f"changed_{code}"] = "on"
        data[f"note_{code}"] = note
    return data


def test_the_form_lists_every_item_of_the_seed_form(client, staff_a, mine):
    client.force_login(staff_a)
    html = client.get(reverse("customers:watch_create", args=[mine.pk])).content.decode()
    for text in [
        "经营面评核",
        "投资新设备",
        "仓存品急剧增加",
        "开始出现大拍卖的传闻",
        "员工评核",
        "最近请假人数增多",
        "变更交易银行",
        "提出变更交易条款",
        "客户破产",
        "延迟发薪",
    ]:
        assert text in html, text
    assert len(WATCH_ITEMS) == 20


def test_a_watch_without_risk_signals_is_kept_and_tells_nobody(client, staff_a, supervisor_a, mine):
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:watch_create", args=[mine.pk]),
        watch_post(new_equipment="新增两条自动分拣线"),
    )
    watch = CustomerWatch.objects.get()
    assert response["Location"] == watch.get_absolute_url()
    assert watch.items["new_equipment"] == {"changed": True, "note": "新增两条自动分拣线"}
    assert watch.items["bankruptcy"] == {"changed": False, "note": ""}
    assert (watch.changed_count, watch.risky_changes) == (1, [])
    assert not Notification.objects.exists()
    card = client.get(mine.get_absolute_url()).content.decode()
    assert "最近一次动态调查" in card and "新增两条自动分拣线" in card
    assert "已记录客户动态调查" in card  # the card's history


def test_a_risky_change_tells_the_units_supervisors_and_nobody_else(
    client, staff_a, supervisor_a, supervisor_b, manager_a, unit_a, mine,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    second = make_user(Role.SUPERVISOR, unit_a, username="supervisor_a2", email="s2@example.com")
    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("customers:watch_create", args=[mine.pk]),
            watch_post(late_salaries="本月工资推迟两周发放", owner_enthusiasm="热情下降"),
        )
    watch = CustomerWatch.objects.get()
    assert watch.risky_changes == ["late_salaries"]
    told = Notification.objects.filter(kind="customers.watch_risk")
    assert {n.recipient for n in told} == {supervisor_a, second}
    note = told.get(recipient=supervisor_a)
    assert note.title == "上海远航物流 出现风险信号"
    assert "延迟发薪" in note.body and "张三" in note.body and "对工作的热忱" not in note.body
    assert note.url == watch.get_absolute_url()
    assert [m.to for m in mail.outbox] == [["s2@example.com"]]
    # The page says who was told.
    page = client.get(response["Location"]).content.decode()
    assert "已通知本单位主管" in page and "风险信号" in page
    client.force_login(supervisor_a)
    assert client.get(note.url).status_code == 200


def test_the_supervisor_reads_the_alert_in_their_language(client, staff_a, supervisor_a, mine):
    supervisor_a.language = "en"
    supervisor_a.save()
    client.force_login(staff_a)
    client.post(
        reverse("customers:watch_create", args=[mine.pk]), watch_post(bank_change="改到新银行")
    )
    note = Notification.objects.get(recipient=supervisor_a)
    assert note.title == "Risk signal at 上海远航物流"
    assert "Changing its bank" in note.body


def test_a_change_without_a_note_is_refused_in_chinese_and_nothing_is_saved(
    client, staff_a, supervisor_a, mine
):
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:watch_create", args=[mine.pk]), watch_post(bankruptcy="  ")
    )
    assert response.status_code == 200
    assert "请说明“客户破产”有什么变化。" in response.content.decode()
    assert not CustomerWatch.objects.exists()
    assert not Notification.objects.exists()
    assert not CustomerChange.objects.filter(kind=CustomerChange.Kind.VOICE).exists()


def test_a_watch_dated_in_the_future_is_refused(client, staff_a, mine):
    client.force_login(staff_a)
    data = watch_post() | {"reported_on": (timezone.localdate() + timedelta(days=2)).isoformat()}
    response = client.post(reverse("customers:watch_create", args=[mine.pk]), data)
    assert "日期不能晚于今天。" in response.content.decode()
    assert not CustomerWatch.objects.exists()


def test_sending_the_same_watch_twice_records_and_alerts_once(client, staff_a, supervisor_a, mine):
    client.force_login(staff_a)
    data = watch_post(terms_change="要求账期延长到60天")
    client.post(reverse("customers:watch_create", args=[mine.pk]), data)
    client.post(reverse("customers:watch_create", args=[mine.pk]), data)
    assert CustomerWatch.objects.count() == 1
    assert Notification.objects.filter(recipient=supervisor_a).count() == 1


def test_the_card_shows_the_latest_watch_and_the_history_lists_them_all(client, staff_a, mine):
    client.force_login(staff_a)
    url = reverse("customers:watch_create", args=[mine.pk])
    older = watch_post(stock_piling="库存翻倍")
    older["reported_on"] = (timezone.localdate() - timedelta(days=30)).isoformat()
    client.post(url, older)
    client.post(url, watch_post(staff_leave="请假人数增多"))
    card = client.get(mine.get_absolute_url()).content.decode()
    assert "请假人数增多" in card and "库存翻倍" not in card
    history = client.get(reverse("customers:watch_list", args=[mine.pk])).content.decode()
    assert "请假人数增多" in history and "库存翻倍" in history
    assert history.count("风险信号") >= 1  # the older one's stock piling up


def test_the_watch_pages_are_scoped(client, staff_a, staff_a2, supervisor_b, manager_a, mine):
    client.force_login(staff_a)
    client.post(reverse("customers:watch_create", args=[mine.pk]), watch_post())
    watch = CustomerWatch.objects.get()
    for user, status in [(staff_a2, 404), (supervisor_b, 404), (manager_a, 200)]:
        client.force_login(user)
        assert client.get(watch.get_absolute_url()).status_code == status, user
        assert client.get(reverse("customers:watch_list", args=[mine.pk])).status_code == status
    # A watch id under another customer's address is not found.
    other = make_customer(mine.unit, code="W-A2", visiting_person=staff_a)
    client.force_login(staff_a)
    url = reverse("customers:watch_detail", args=[other.pk, watch.pk])
    assert client.get(url).status_code == 404
