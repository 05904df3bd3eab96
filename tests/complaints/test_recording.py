"""Phone recordings: audio only, at most 20 MB, stored under a random name,
downloaded only through the scoped view, as an attachment."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.models import Complaint
from crm_site.core.models import AuditLog
from tests.support.complaints import complaint_post

pytestmark = pytest.mark.django_db

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 200
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200


def audio(name="通话录音.mp3", content=MP3, content_type="audio/mpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def log_form(customer, **extra):
    return complaint_post(
        customer, category="damage", content="货物破损，外箱被压扁。", demand="赔偿", **extra
    )


def log_with(client, customer, upload, **extra):
    return client.post(reverse("complaints:create"), log_form(customer, recording=upload, **extra))


def test_a_phone_complaint_keeps_its_recording_under_a_random_name(
    client, customer_a, staff_a, _media_root
):
    client.force_login(staff_a)
    response = log_with(client, customer_a, audio("../../etc/passwd.mp3"))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    name = complaint.recording.name
    assert name.startswith("complaints/recordings/")
    assert name.endswith(".mp3")
    assert "passwd" not in name and ".." not in name
    path = Path(complaint.recording.path).resolve()
    assert path.is_relative_to(Path(_media_root).resolve())
    assert path.read_bytes() == MP3
    assert complaint.recording_content_type == "audio/mpeg"
    assert complaint.events.filter(kind="logged").exists()


@pytest.mark.parametrize(
    "upload, message",
    [
        (audio("notes.txt", b"hello", "text/plain"), "只能附加录音文件"),
        (audio("page.html", b"<html></html>", "text/html"), "只能附加录音文件"),
        (audio("call.mp3", MP3, "text/html"), "只能附加录音文件"),
        (audio("photo.wav", PNG, "audio/wav"), "不是"),
        (audio("call.mp3", WAV, "audio/mpeg"), "不是"),
        (audio("shell.php.mp3", b"<?php system($_GET[1]); ?>", "audio/mpeg"), "不是"),
    ],
    ids=["text", "html", "declared-html", "png-renamed-wav", "wav-named-mp3", "php-renamed-mp3"],
)
def test_files_that_are_not_the_audio_they_claim_are_refused(
    client, customer_a, staff_a, upload, message
):
    client.force_login(staff_a)
    response = log_with(client, customer_a, upload)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Complaint.objects.exists()


def test_a_recording_over_20_mb_is_refused_with_its_size(client, customer_a, staff_a):
    client.force_login(staff_a)
    big = audio("long.mp3", MP3 + b"\x00" * (20 * 1024 * 1024))
    response = log_with(client, customer_a, big)
    html = response.content.decode()
    assert "20.0 MB" in html and "20 MB" in html
    assert not Complaint.objects.exists()


def test_only_phone_complaints_take_a_recording(client, customer_a, staff_a):
    client.force_login(staff_a)
    response = log_with(client, customer_a, audio(), channel="in_person")
    assert response.status_code == 200
    assert "只有电话投诉" in response.content.decode()


@pytest.fixture
def recorded(client, customer_a, staff_a):
    client.force_login(staff_a)
    assert log_with(client, customer_a, audio("a.wav", WAV, "audio/x-wav")).status_code == 302
    client.logout()
    return Complaint.objects.get()


def test_the_recording_downloads_as_an_attachment_with_its_audio_type(client, recorded, staff_a):
    client.force_login(staff_a)
    response = client.get(reverse("complaints:recording", args=[recorded.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Disposition"] == f'attachment; filename="{recorded.number}.wav"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == WAV
    assert AuditLog.objects.filter(
        action="complaint.recording", object_id=str(recorded.pk)
    ).exists()


@pytest.mark.parametrize(
    "persona, status",
    [
        ("supervisor_a", 200),
        ("staff_b", 404),
        ("supervisor_b", 404),
        ("manager_b", 404),
        ("staff_a2", 404),
    ],
)
def test_the_recording_is_downloadable_only_within_scope(
    request, client, recorded, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("complaints:recording", args=[recorded.pk])).status_code == status


def test_the_media_folder_is_not_served_as_static(client, recorded, staff_a):
    client.force_login(staff_a)
    assert client.get("/media/" + recorded.recording.name).status_code == 404
    assert client.get("/static/" + recorded.recording.name).status_code == 404


def test_a_recording_can_be_attached_later_and_replaces_the_old_one(
    client, recorded, staff_a, django_capture_on_commit_callbacks
):
    old = Path(recorded.recording.path)
    client.force_login(staff_a)
    url = reverse("complaints:action", args=[recorded.pk, "recording"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"recording-recording": audio("b.mp3")})
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.recording.name.endswith(".mp3")
    assert not old.exists()
    assert recorded.events.filter(kind="recording").exists()


def test_a_complaint_without_recording_has_no_download(client, complaint_a, staff_a):
    client.force_login(staff_a)
    assert client.get(reverse("complaints:recording", args=[complaint_a.pk])).status_code == 404
