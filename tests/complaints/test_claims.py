"""Claims (理赔): filing, the loss assessment, approval by the right person,
the payout or the refusal, and the complaint's resolution waiting for them."""

import uuid
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from complaints import services as complaint_services
from complaints.claims import permissions, rules, services
from complaints.claims.models import Claim, ClaimEvent, ClaimPolicy
from complaints.models import Status
from tests import factories as f
from tests.complaints.claim_factories import make_claim, make_waybill

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def _png(name="photo.png", data=PNG, content_type="image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def _assessed(complaint, amount, by):
    claim = make_claim(complaint, amount=amount)
    services.claim_assess(claim=claim, actor=by, assessed_amount=Decimal(amount))
    claim.refresh_from_db()
    return claim


# --- the state machine ----------------------------------------------------------


def test_a_claim_goes_from_accepted_through_assessment_and_approval_to_payout(
    complaint_a, staff_a, supervisor_a
):
    claim = make_claim(complaint_a, amount="1234.56")
    assert claim.state == "accepted"
    assert claim.number == f"{complaint_a.number}-L1"
    assert claim.unit_id == complaint_a.unit_id

    services.claim_assess(claim=claim, actor=staff_a, assessed_amount=Decimal("1200.005"))
    assert claim.state == "assessed"
    assert claim.assessed_amount == Decimal("1200.01")  # to the cent, half up

    services.claim_approve(claim=claim, actor=supervisor_a, comment="同意")
    assert claim.state == "approved"
    assert claim.approval_level == "supervisor"

    services.claim_pay(
        claim=claim,
        actor=supervisor_a,
        paid_amount=Decimal("1200.01"),
        paid_on=timezone.localdate(),
        reference="转账 0001",
    )
    assert claim.state == "paid"
    assert claim.paid_amount == Decimal("1200.01")
    kinds = list(claim.events.values_list("kind", "from_state", "to_state"))
    assert kinds == [
        ("logged", "", "accepted"),
        ("assessed", "accepted", "assessed"),
        ("approved", "assessed", "approved"),
        ("paid", "approved", "paid"),
    ]


def test_a_rejection_needs_a_reason_and_closes_the_claim(complaint_a, staff_a, supervisor_a):
    claim = make_claim(complaint_a)
    with pytest.raises(ValidationError):
        services.claim_reject(claim=claim, actor=supervisor_a, reason="  ")
    services.claim_reject(claim=claim, actor=supervisor_a, reason="货物已签收，无丢失")
    assert claim.state == "rejected"
    assert not claim.is_open
    with pytest.raises(ValidationError):
        services.claim_assess(claim=claim, actor=supervisor_a, assessed_amount=Decimal("1"))


def test_a_step_out_of_order_is_refused_and_changes_nothing(complaint_a, supervisor_a):
    claim = make_claim(complaint_a)
    with pytest.raises(ValidationError):
        services.claim_pay(
            claim=claim,
            actor=supervisor_a,
            paid_amount=Decimal("10"),
            paid_on=timezone.localdate(),
        )
    claim.refresh_from_db()
    assert claim.state == "accepted"
    assert claim.events.count() == 1


def test_the_assessment_cannot_exceed_the_claim_nor_the_payout_the_assessment(
    complaint_a, staff_a, supervisor_a
):
    claim = make_claim(complaint_a, amount="500.00")
    with pytest.raises(ValidationError):
        services.claim_assess(claim=claim, actor=staff_a, assessed_amount=Decimal("500.01"))
    services.claim_assess(claim=claim, actor=staff_a, assessed_amount=Decimal("400.00"))
    services.claim_approve(claim=claim, actor=supervisor_a)
    with pytest.raises(ValidationError):
        services.claim_pay(
            claim=claim,
            actor=supervisor_a,
            paid_amount=Decimal("400.01"),
            paid_on=timezone.localdate(),
        )


def test_waybills_must_be_the_complaints_own(complaint_a, staff_a):
    own, other = make_waybill("SF1000000001"), make_waybill("SF1000000002")
    complaint_a.waybills.add(own)
    claim = make_claim(complaint_a, waybills=[own])
    assert list(claim.waybills.all()) == [own]
    with pytest.raises(ValidationError):
        make_claim(complaint_a, waybills=[other])


def test_claims_of_one_complaint_are_numbered_one_after_another(complaint_a):
    first, second = make_claim(complaint_a), make_claim(complaint_a)
    assert (first.seq, second.seq) == (1, 2)
    assert second.number.endswith("-L2")


# --- who approves -------------------------------------------------------------------


def test_up_to_the_threshold_a_supervisor_approves(complaint_a, staff_a, supervisor_a):
    claim = _assessed(complaint_a, "5000.00", staff_a)  # the default threshold itself
    assert permissions.level_needed(claim) == rules.SUPERVISOR
    assert permissions.may(supervisor_a, "approve", claim)
    services.claim_approve(claim=claim, actor=supervisor_a)
    assert claim.state == "approved"


def test_above_the_threshold_only_a_manager_approves(complaint_a, staff_a, supervisor_a, manager_a):
    claim = _assessed(complaint_a, "5000.01", staff_a)
    assert permissions.level_needed(claim) == rules.MANAGER
    assert not permissions.may(supervisor_a, "approve", claim)
    assert not permissions.may(supervisor_a, "reject", claim)
    with pytest.raises(PermissionDenied, match="经理|manager"):
        services.claim_approve(claim=claim, actor=supervisor_a)
    services.claim_approve(claim=claim, actor=manager_a)
    assert claim.approval_level == "manager"


def test_the_threshold_is_the_units_own_setting(complaint_a, staff_a, supervisor_a, unit_a):
    ClaimPolicy.objects.create(unit=unit_a, manager_threshold=Decimal("1000.00"))
    claim = _assessed(complaint_a, "1500.00", staff_a)
    assert permissions.level_needed(claim) == rules.MANAGER
    assert not permissions.may(supervisor_a, "approve", claim)


def test_nobody_approves_a_claim_they_filed_or_assessed(
    complaint_a, supervisor_a, manager_a, admin_user
):
    filed = make_claim(complaint_a, by=supervisor_a)
    services.claim_assess(claim=filed, actor=manager_a, assessed_amount=Decimal("100"))
    for own in (supervisor_a, manager_a):
        assert not permissions.may(own, "approve", filed)
        with pytest.raises(PermissionDenied, match="本人受理或定损|filed or assessed"):
            services.claim_approve(claim=filed, actor=own)
    services.claim_approve(claim=filed, actor=admin_user)
    assert filed.state == "approved"


def test_staff_and_the_other_units_people_do_not_approve(
    complaint_a, staff_a, staff_a2, supervisor_b, manager_b
):
    claim = make_claim(complaint_a)
    services.claim_assess(claim=claim, actor=staff_a, assessed_amount=Decimal("100"))
    for person in (staff_a2, supervisor_b, manager_b):
        assert not permissions.may(person, "approve", claim)
        with pytest.raises(PermissionDenied):
            services.claim_approve(claim=claim, actor=person)


def test_an_assessment_changed_after_the_page_was_loaded_is_not_approved(
    complaint_a, staff_a, supervisor_a
):
    claim = _assessed(complaint_a, "300.00", staff_a)
    stale = Claim.objects.get(pk=claim.pk)
    services.claim_assess(claim=claim, actor=staff_a, assessed_amount=Decimal("250.00"))
    with pytest.raises(ValidationError):
        services.claim_approve(claim=stale, actor=supervisor_a)
    claim.refresh_from_db()
    assert claim.state == "assessed"


def test_the_approvers_are_notified_when_the_loss_is_assessed(
    complaint_a, staff_a, supervisor_a, manager_a
):
    from crm_site.core.models import Notification

    _assessed(complaint_a, "100.00", staff_a)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) >= {
        "supervisor_a"
    }
    Notification.objects.all().delete()
    _assessed(complaint_a, "9000.00", staff_a)
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"manager_a"}


# --- the complaint waits for its claims ---------------------------------------------------


def _proposed(complaint, by):
    complaint_services.complaint_start_investigation(complaint=complaint, actor=by)
    complaint_services.complaint_propose(
        complaint=complaint,
        actor=by,
        cause="分拨中心遗失",
        responsible_department="华东分拨中心",
        solution="按保价赔付",
    )
    return complaint


def test_a_complaint_cannot_record_its_resolution_while_a_claim_is_open(
    complaint_a, staff_a, supervisor_a
):
    _proposed(complaint_a, supervisor_a)
    claim = make_claim(complaint_a)
    with pytest.raises(ValidationError) as refused:
        complaint_services.complaint_resolve(complaint=complaint_a, actor=supervisor_a)
    assert claim.number in str(refused.value)
    complaint_a.refresh_from_db()
    assert complaint_a.status == Status.PROPOSED

    services.claim_reject(claim=claim, actor=supervisor_a, reason="重复申请")
    complaint_services.complaint_resolve(complaint=complaint_a, actor=supervisor_a)
    assert complaint_a.status == Status.RESOLVED


def test_the_complaint_page_says_why_the_resolution_is_refused(client, complaint_a, supervisor_a):
    _proposed(complaint_a, supervisor_a)
    claim = make_claim(complaint_a)
    client.force_login(supervisor_a)
    with f_language(client, "en"):
        response = client.post(
            reverse("complaints:action", args=[complaint_a.pk, "resolve"]),
            {"resolve-comment": ""},
        )
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Claim {claim.number} of this complaint is still open" in page
    complaint_a.refresh_from_db()
    assert complaint_a.status == Status.PROPOSED


def test_a_claim_is_filed_only_on_an_open_complaint(complaint_a, supervisor_a):
    type(complaint_a).objects.filter(pk=complaint_a.pk).update(status=Status.RESOLVED)
    complaint_a.refresh_from_db()
    with pytest.raises(ValidationError):
        make_claim(complaint_a, by=supervisor_a)


# --- pages -----------------------------------------------------------------------------


def f_language(client, code):
    from contextlib import contextmanager

    from django.conf import settings as dj_settings

    @contextmanager
    def use():
        client.cookies[dj_settings.LANGUAGE_COOKIE_NAME] = code
        yield

    return use()


def _create_data(**extra):
    return {
        "kind": "lost",
        "amount_claimed": "880.50",
        "declared_value": "1000",
        "insured": "on",
        "description": "包裹丢失",
        "form_token": str(uuid.uuid4()),
    } | extra


def test_staff_file_a_claim_from_the_complaint_page_with_a_photo(client, complaint_a, staff_a):
    client.force_login(staff_a)
    page = client.get(complaint_a.get_absolute_url()).content.decode()
    assert reverse("complaints:claim_create", args=[complaint_a.pk]) in page
    response = client.post(
        reverse("complaints:claim_create", args=[complaint_a.pk]),
        _create_data(evidence=[_png(), SimpleUploadedFile("r.pdf", PDF, "application/pdf")]),
    )
    claim = Claim.objects.get()
    assert response.status_code == 302 and response.url == claim.get_absolute_url()
    assert claim.amount_claimed == Decimal("880.50")
    assert claim.insured and claim.logged_by == staff_a
    assert sorted(claim.evidence.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/png",
    ]
    detail = client.get(claim.get_absolute_url())
    assert "880.50" in detail.content.decode()
    item = claim.evidence.first()
    download = client.get(reverse("complaints:claim_evidence", args=[claim.pk, item.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")


def test_a_double_submitted_claim_form_files_one_claim(client, complaint_a, staff_a):
    client.force_login(staff_a)
    data = _create_data()
    url = reverse("complaints:claim_create", args=[complaint_a.pk])
    first = client.post(url, data)
    second = client.post(url, data)
    assert Claim.objects.count() == 1
    assert first.url == second.url == Claim.objects.get().get_absolute_url()


def test_a_file_that_is_not_a_photo_or_receipt_is_refused_and_nothing_is_filed(
    client, complaint_a, staff_a
):
    client.force_login(staff_a)
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script>", "image/jpeg")
    response = client.post(
        reverse("complaints:claim_create", args=[complaint_a.pk]), _create_data(evidence=[fake])
    )
    assert response.status_code == 200
    assert "photo.jpg" in response.content.decode()
    assert not Claim.objects.exists()


def test_evidence_over_the_size_limit_is_refused(complaint_a, staff_a):
    claim = make_claim(complaint_a)
    big = _png(data=PNG + b"\x00" * rules.MAX_EVIDENCE_BYTES)
    with pytest.raises(ValidationError, match="MB"):
        services.claim_add_evidence(claim=claim, actor=staff_a, files=[big])
    assert not claim.evidence.exists()


def test_the_claim_page_offers_each_person_their_steps(
    client, complaint_a, staff_a, supervisor_a, manager_a
):
    claim = _assessed(complaint_a, "9000.00", staff_a)
    client.force_login(supervisor_a)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'id="action-approve"' not in page
    client.force_login(manager_a)
    page = client.get(claim.get_absolute_url()).content.decode()
    assert 'id="action-approve"' in page
    response = client.post(
        reverse("complaints:claim_action", args=[claim.pk, "approve"]), {"approve-comment": "同意"}
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.state == "approved" and claim.approved_by == manager_a


def test_posting_an_approval_one_may_not_give_is_forbidden(
    client, complaint_a, staff_a, supervisor_a
):
    claim = _assessed(complaint_a, "9000.00", staff_a)
    client.force_login(supervisor_a)
    response = client.post(reverse("complaints:claim_action", args=[claim.pk, "approve"]), {})
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.state == "assessed"


def test_the_other_units_claim_is_not_found(client, complaint_a, staff_b, supervisor_b):
    claim = make_claim(complaint_a)
    for person in (staff_b, supervisor_b):
        client.force_login(person)
        assert client.get(claim.get_absolute_url()).status_code == 404
        assert (
            client.post(reverse("complaints:claim_action", args=[claim.pk, "assess"])).status_code
            == 404
        )
        assert (
            client.get(reverse("complaints:claim_create", args=[complaint_a.pk])).status_code == 404
        )


def test_staff_see_only_the_claims_of_complaints_they_work(
    complaint_a, customer_a2, staff_a, staff_a2
):
    mine = make_claim(complaint_a)
    other = make_claim(f.make_complaint(customer_a2, by=staff_a2))
    assert list(Claim.objects.visible_to(staff_a)) == [mine]
    assert list(Claim.objects.visible_to(staff_a2)) == [other]


def test_the_complaint_page_lists_its_claims(client, complaint_a, supervisor_a):
    claim = make_claim(complaint_a, amount="66.60")
    client.force_login(supervisor_a)
    page = client.get(complaint_a.get_absolute_url()).content.decode()
    assert claim.number in page and "66.60" in page


def test_events_record_the_amounts(complaint_a, staff_a):
    claim = make_claim(complaint_a, amount="10.10")
    assert ClaimEvent.objects.get(claim=claim).data == {"amount_claimed": "10.10"}


@pytest.mark.parametrize("amount", ["-5", "abc", "1e12", "12.345", ""])
def test_a_bad_amount_is_refused_on_the_form_and_nothing_is_filed(
    client, complaint_a, staff_a, amount
):
    client.force_login(staff_a)
    response = client.post(
        reverse("complaints:claim_create", args=[complaint_a.pk]),
        _create_data(amount_claimed=amount),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["amount_claimed"]
    assert not Claim.objects.exists()


def test_an_amount_in_full_width_digits_is_refused_with_a_message(client, complaint_a, staff_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("complaints:claim_create", args=[complaint_a.pk]),
        _create_data(amount_claimed="１２３.４５"),
    )
    assert response.context["form"].errors["amount_claimed"]
    assert not Claim.objects.exists()


def test_staff_do_not_record_a_payout(client, complaint_a, staff_a, supervisor_a, manager_a):
    claim = _assessed(complaint_a, "100.00", staff_a)
    services.claim_approve(claim=claim, actor=supervisor_a)
    assert not permissions.may(staff_a, "pay", claim)
    client.force_login(staff_a)
    response = client.post(
        reverse("complaints:claim_action", args=[claim.pk, "pay"]),
        {"pay-paid_amount": "100.00", "pay-paid_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403
    claim.refresh_from_db()
    assert claim.state == "approved"
