"""Waybill numbers on a complaint (运单号): typed or pasted when logging, edited
on its page, a repeat within 30 days flagged, and two complaints about one
waybill merged by a supervisor."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from complaints import services
from complaints.models import Complaint, ComplaintEvent, Status
from customers.models import Waybill
from tests import factories as f
from tests.support.complaints import complaint_post

pytestmark = pytest.mark.django_db


def zh(message: str, **params) -> str:
    """`message` as a page in the default language (Chinese) shows it, escaped."""
    with translation.override("zh-hans"):
        text = translation.gettext(message)
    return escape(text % params if params else text)


def log(client, customer, **extra):
    return client.post(reverse("complaints:create"), complaint_post(customer, **extra), follow=True)


# --- entry -----------------------------------------------------------------------


def test_a_pasted_list_is_saved_normalised_and_shown_as_links(client, customer_a, staff_a):
    client.force_login(staff_a)
    pasted = "sf1234567890\r\nＹＴ９８７６５４３２１０， JD0001112223；sf1234567890"
    response = log(client, customer_a, waybills=pasted)
    complaint = Complaint.objects.get()
    numbers = sorted(complaint.waybills.values_list("number", flat=True))
    assert numbers == ["JD0001112223", "SF1234567890", "YT9876543210"]
    html = response.content.decode()
    assert reverse("waybills:detail", args=["SF1234567890"]) in html
    assert "YT9876543210" in html


def test_a_ten_thousand_line_paste_is_refused_clearly_and_nothing_is_saved(
    client, customer_a, staff_a
):
    client.force_login(staff_a)
    pasted = "\n".join(f"SF{n:010d}" for n in range(10_000))
    response = log(client, customer_a, waybills=pasted)
    assert response.status_code == 200
    assert (
        zh(
            "This paste is too long: give at most %(limit)d waybill numbers. Nothing was saved.",
            limit=50,
        )
        in response.content.decode()
    )
    assert not Complaint.objects.exists() and not Waybill.objects.exists()


def test_fifty_one_numbers_are_refused_with_the_count(client, customer_a, staff_a):
    client.force_login(staff_a)
    pasted = " ".join(f"SF{n:010d}" for n in range(51))
    response = log(client, customer_a, waybills=pasted)
    assert "51" in response.content.decode()
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    "bad", ["SF123", "SF-1234567890", "<script>alert(1)</script>", "运单1234567", "A" * 33]
)
def test_odd_characters_are_refused_naming_the_number(client, customer_a, staff_a, bad):
    client.force_login(staff_a)
    response = log(client, customer_a, waybills=f"SF1234567890\n{bad}")
    html = response.content.decode()
    shown = bad.upper()[:40]
    message = "Not a waybill number: %(numbers)s. A waybill number is 6 to 32 letters and digits."
    assert zh(message, numbers=shown) in html
    assert "<script>alert" not in html.lower()
    assert not Complaint.objects.exists() and not Waybill.objects.exists()


def test_the_refusals_read_in_chinese(client, customer_a, staff_a):
    """The messages themselves, not their catalogue lookup: a lost translation
    would show the user English."""
    client.force_login(staff_a)
    huge = log(client, customer_a, waybills="\n".join(f"SF{n:010d}" for n in range(10_000)))
    assert "粘贴的内容过长：最多可填写 50 个运单号。本次未保存任何内容。" in huge.content.decode()
    many = log(client, customer_a, waybills=" ".join(f"SF{n:010d}" for n in range(51)))
    assert "最多可填写 50 个运单号，本次填写了 51 个。" in many.content.decode()
    odd = log(client, customer_a, waybills="SF1234567890；SF-123")
    assert (
        "以下不是有效的运单号：SF-123。运单号由 6 至 32 位字母和数字组成。" in odd.content.decode()
    )
    assert not Complaint.objects.exists() and not Waybill.objects.exists()


def test_the_same_form_sent_twice_links_the_waybills_once(client, customer_a, staff_a):
    client.force_login(staff_a)
    data = complaint_post(customer_a, waybills="SF1234567890 SF1234567891")
    client.post(reverse("complaints:create"), data)
    client.post(reverse("complaints:create"), data)
    complaint = Complaint.objects.get()
    assert complaint.waybills.count() == 2 and Waybill.objects.count() == 2
    assert complaint.repeat_of is None


def test_the_handler_edits_the_numbers_on_the_complaint_page(client, customer_a, staff_a):
    complaint = f.make_complaint(customer_a, by=staff_a, waybills=["SF1234567890"])
    client.force_login(staff_a)
    url = reverse("complaints:action", args=[complaint.pk, "waybills"])
    response = client.post(url, {"waybills-waybills": "yt9876543210\nSF1234567890"}, follow=True)
    assert sorted(complaint.waybills.values_list("number", flat=True)) == [
        "SF1234567890",
        "YT9876543210",
    ]
    assert "YT9876543210" in response.content.decode()
    assert complaint.events.filter(kind=ComplaintEvent.Kind.WAYBILLS).exists()


def test_a_ten_thousand_line_paste_on_the_complaint_page_keeps_the_numbers_it_had(
    client, customer_a, staff_a
):
    complaint = f.make_complaint(customer_a, by=staff_a, waybills=["SF1234567890"])
    client.force_login(staff_a)
    url = reverse("complaints:action", args=[complaint.pk, "waybills"])
    pasted = "\n".join(f"YT{n:010d}" for n in range(10_000))
    response = client.post(url, {"waybills-waybills": pasted})
    assert response.status_code == 200
    assert (
        "粘贴的内容过长：最多可填写 50 个运单号。本次未保存任何内容。" in response.content.decode()
    )
    assert list(complaint.waybills.values_list("number", flat=True)) == ["SF1234567890"]
    assert Waybill.objects.count() == 1
    assert not complaint.events.filter(kind=ComplaintEvent.Kind.WAYBILLS).exists()


@pytest.mark.parametrize("bad", ["SF-1234567890", "<script>alert(1)</script>", "运单1234567"])
def test_odd_characters_on_the_complaint_page_are_refused_and_nothing_changes(
    client, customer_a, staff_a, bad
):
    complaint = f.make_complaint(customer_a, by=staff_a, waybills=["SF1234567890"])
    client.force_login(staff_a)
    url = reverse("complaints:action", args=[complaint.pk, "waybills"])
    response = client.post(url, {"waybills-waybills": f"YT9876543210\n{bad}"})
    html = response.content.decode()
    assert "以下不是有效的运单号：" in html and "运单号由 6 至 32 位字母和数字组成。" in html
    assert "<script>alert" not in html.lower()
    assert list(complaint.waybills.values_list("number", flat=True)) == ["SF1234567890"]
    assert Waybill.objects.count() == 1
    assert not complaint.events.filter(kind=ComplaintEvent.Kind.WAYBILLS).exists()


def test_a_closed_complaint_keeps_its_numbers(client, customer_a, staff_a):
    complaint = f.make_complaint(
        customer_a, by=staff_a, waybills=["SF1234567890"], status=Status.CLOSED
    )
    client.force_login(staff_a)
    url = reverse("complaints:action", args=[complaint.pk, "waybills"])
    client.post(url, {"waybills-waybills": "YT9876543210"})
    assert list(complaint.waybills.values_list("number", flat=True)) == ["SF1234567890"]


# --- repeat ----------------------------------------------------------------------


def test_a_new_complaint_on_a_waybill_complained_about_last_week_is_a_repeat(
    client, customer_a, staff_a
):
    first = f.make_complaint(
        customer_a,
        by=staff_a,
        waybills=["SF1234567890"],
        received_at=timezone.now() - timedelta(days=7),
    )
    client.force_login(staff_a)
    response = log(client, customer_a, waybills="sf1234567890")
    second = Complaint.objects.exclude(pk=first.pk).get()
    assert second.repeat_of == first
    html = response.content.decode()
    repeat = "It is a repeat: the same waybill had complaint %(number)s in the last 30 days."
    assert zh(repeat, number=first.number) in html
    assert "complaint-repeat-of" in html
    page = client.get(reverse("complaints:list")).content.decode()
    assert "complaint-repeat" in page


def test_a_complaint_older_than_thirty_days_does_not_make_a_repeat(customer_a, staff_a):
    f.make_complaint(
        customer_a,
        by=staff_a,
        waybills=["SF1234567890"],
        received_at=timezone.now() - timedelta(days=31),
    )
    second = f.make_complaint(customer_a, by=staff_a, waybills=["SF1234567890"])
    assert second.repeat_of is None


def test_another_waybill_does_not_make_a_repeat(customer_a, staff_a):
    f.make_complaint(customer_a, by=staff_a, waybills=["SF1234567890"])
    second = f.make_complaint(customer_a, by=staff_a, waybills=["SF1234567899"])
    assert second.repeat_of is None


# --- merge -----------------------------------------------------------------------


@pytest.fixture
def pair(customer_a, customer_a2, staff_a, staff_a2):
    """The sender's and the recipient's complaints about one waybill."""
    sender = f.make_complaint(customer_a, by=staff_a, waybills=["SF1234567890", "SF1111111111"])
    recipient = f.make_complaint(customer_a2, by=staff_a2, waybills=["SF1234567890"])
    services.complaint_start_investigation(complaint=recipient, actor=staff_a2, comment="查件")
    return sender, recipient


def merge(client, complaint, other, keep="this"):
    return client.post(
        reverse("complaints:merge", args=[complaint.pk]),
        {"merge-other": other.pk, "merge-keep": keep},
        follow=True,
    )


def test_a_supervisor_merges_two_complaints_and_everything_moves_to_the_survivor(
    client, pair, supervisor_a
):
    from tests.complaints.claim_factories import make_claim

    sender, recipient = pair
    claim = make_claim(recipient)
    recipient_events = set(recipient.events.values_list("pk", flat=True))
    client.force_login(supervisor_a)
    response = merge(client, sender, recipient, keep="this")
    claim.refresh_from_db()
    assert claim.complaint == sender
    assert response.redirect_chain[-1][0] == sender.get_absolute_url()
    recipient.refresh_from_db()
    assert recipient.merged_into == sender and recipient.status == Status.CLOSED
    assert recipient_events <= set(sender.events.values_list("pk", flat=True))
    assert sorted(sender.waybills.values_list("number", flat=True)) == [
        "SF1111111111",
        "SF1234567890",
    ]
    assert not recipient.waybills.exists()
    assert sender.events.filter(kind=ComplaintEvent.Kind.MERGE_RECEIVED).count() == 1
    assert list(recipient.events.values_list("kind", flat=True)) == [ComplaintEvent.Kind.MERGED]
    assert recipient.number in response.content.decode()


def test_the_recording_moves_when_the_survivor_has_none(client, pair, supervisor_a, customer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    sender, recipient = pair
    wav = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 32
    services.complaint_attach_recording(
        complaint=recipient,
        actor=supervisor_a,
        recording=SimpleUploadedFile("a.wav", wav, content_type="audio/wav"),
    )
    client.force_login(supervisor_a)
    merge(client, sender, recipient, keep="this")
    sender.refresh_from_db()
    recipient.refresh_from_db()
    assert sender.recording and not recipient.recording


def test_the_merged_complaint_redirects_to_the_survivor_and_its_number_still_finds_it(
    client, pair, supervisor_a
):
    sender, recipient = pair
    client.force_login(supervisor_a)
    merge(client, sender, recipient, keep="other")  # the sender is merged into the recipient
    response = client.get(sender.get_absolute_url(), follow=True)
    assert response.redirect_chain[-1][0] == recipient.get_absolute_url()
    merged = zh(
        "Complaint %(number)s was merged into %(survivor)s.",
        number=sender.number,
        survivor=recipient.number,
    )
    assert merged in response.content.decode()
    found = client.get(reverse("search:search"), {"q": sender.number}, follow=True)
    assert found.redirect_chain[-1][0] == recipient.get_absolute_url()
    listed = client.get(reverse("complaints:list"), {"q": sender.number}).content.decode()
    assert sender.number in listed and "complaint-merged" in listed


def test_merging_twice_merges_once(client, pair, supervisor_a):
    sender, recipient = pair
    client.force_login(supervisor_a)
    merge(client, sender, recipient, keep="this")
    response = merge(client, recipient, sender, keep="other")
    assert response.status_code == 200
    assert Complaint.objects.filter(merged_into__isnull=False).count() == 1
    assert ComplaintEvent.objects.filter(kind=ComplaintEvent.Kind.MERGED).count() == 1


def test_staff_cannot_merge(client, pair, staff_a):
    sender, recipient = pair
    client.force_login(staff_a)
    response = client.post(
        reverse("complaints:merge", args=[sender.pk]),
        {"merge-other": recipient.pk, "merge-keep": "this"},
    )
    assert response.status_code == 403
    assert not Complaint.objects.filter(merged_into__isnull=False).exists()


def test_the_other_units_supervisor_gets_404(client, pair, supervisor_b):
    sender, recipient = pair
    client.force_login(supervisor_b)
    response = client.post(
        reverse("complaints:merge", args=[sender.pk]),
        {"merge-other": recipient.pk, "merge-keep": "this"},
    )
    assert response.status_code == 404


def test_complaints_without_a_common_waybill_cannot_be_merged(customer_a, staff_a, supervisor_a):
    one = f.make_complaint(customer_a, by=staff_a, waybills=["SF1234567890"])
    two = f.make_complaint(customer_a, by=staff_a, waybills=["SF9999999999"])
    with pytest.raises(ValidationError):
        services.complaint_merge(complaint=two, survivor=one, actor=supervisor_a)


def test_a_complaint_of_another_unit_is_not_offered_and_is_refused(
    client, pair, supervisor_a, customer_b, staff_b
):
    sender, _recipient = pair
    other = f.make_complaint(customer_b, by=staff_b, waybills=["SF1234567890"])
    client.force_login(supervisor_a)
    page = client.get(sender.get_absolute_url()).content.decode()
    assert other.number not in page
    merge(client, sender, other, keep="this")
    other.refresh_from_db()
    assert other.merged_into is None
