"""In-app notifications: the bell, the list, mark read, no duplicates, e-mail once."""

import pytest
from django.core import mail
from django.urls import reverse

from crm_site.core.models import Notification
from crm_site.core.services import notify

pytestmark = pytest.mark.django_db


def test_same_event_notifies_a_person_only_once(staff_a, django_capture_on_commit_callbacks):
    staff_a.email = "staff_a@example.com"
    staff_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(recipient=staff_a, kind="test", title="提醒", dedupe_key="k-1", email=True)
        second = notify(recipient=staff_a, kind="test", title="提醒", dedupe_key="k-1", email=True)
    assert first is not None and second is None
    assert Notification.objects.filter(recipient=staff_a).count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["staff_a@example.com"]


def test_bell_shows_the_unread_count_on_every_page(client, staff_a):
    for i in range(3):
        notify(recipient=staff_a, kind="test", title=f"通知{i}")
    client.force_login(staff_a)
    html = client.get("/").content.decode()
    assert 'id="notification-bell"' in html
    assert ">3</span>" in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, staff_a):
    n = notify(recipient=staff_a, kind="test", title="去看看", url="/")
    client.force_login(staff_a)
    response = client.post(reverse("core:notification_read", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_a_user_cannot_read_or_see_someone_elses_notification(client, staff_a, staff_b):
    n = notify(recipient=staff_a, kind="test", title="仅本人可见")
    client.force_login(staff_b)
    assert "仅本人可见" not in client.get(reverse("core:notifications")).content.decode()
    client.post(reverse("core:notification_read", args=[n.pk]))
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read_empties_the_bell(client, staff_a):
    notify(recipient=staff_a, kind="test", title="一")
    notify(recipient=staff_a, kind="test", title="二")
    client.force_login(staff_a)
    client.post(reverse("core:notification_read_all"))
    assert not Notification.objects.filter(recipient=staff_a, read_at=None).exists()


def test_empty_list_says_what_will_appear(client, staff_a):
    client.force_login(staff_a)
    html = client.get(reverse("core:notifications")).content.decode()
    assert "暂无通知" in html
