"""Pure complaint rules: the transition table, deadline arithmetic, audio sniffing."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from complaints import rules
from crm_site.core.workcal import WorkCalendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh=10, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


# --- transitions -------------------------------------------------------------


@pytest.mark.parametrize(
    "action, status, severity, expected",
    [
        ("start", "received", "normal", "investigating"),
        ("propose", "investigating", "normal", "proposed"),
        ("propose", "investigating", "major", "awaiting_approval"),
        ("propose", "sent_back", "major", "awaiting_approval"),
        ("approve", "awaiting_approval", "major", "approved"),
        ("send_back", "awaiting_approval", "major", "sent_back"),
        ("resolve", "proposed", "normal", "resolved"),
        ("resolve", "approved", "major", "resolved"),
        ("notify", "resolved", "normal", "notified"),
        ("findings", "investigating", "normal", "investigating"),
    ],
)
def test_each_action_moves_the_complaint_to_the_next_status(action, status, severity, expected):
    assert rules.status_after(action, status=status, severity=severity) == expected


def test_a_satisfied_return_visit_closes_and_an_unsatisfied_one_reopens():
    assert (
        rules.status_after("return_visit", status="notified", severity="normal", satisfied=True)
        == "closed"
    )
    assert (
        rules.status_after("return_visit", status="notified", severity="normal", satisfied=False)
        == "investigating"
    )


@pytest.mark.parametrize(
    "action, status, severity",
    [
        ("start", "investigating", "normal"),
        ("propose", "received", "normal"),
        ("approve", "proposed", "normal"),
        ("resolve", "received", "normal"),
        ("resolve", "awaiting_approval", "major"),
        ("notify", "proposed", "normal"),
        ("return_visit", "resolved", "normal"),
        ("start", "closed", "normal"),
        ("recording", "closed", "normal"),
    ],
)
def test_illegal_transitions_are_refused_with_a_reason(action, status, severity):
    with pytest.raises(rules.IllegalTransition) as excinfo:
        rules.status_after(action, status=status, severity=severity)
    assert str(excinfo.value.reason)


def test_a_major_complaint_cannot_be_resolved_without_approval_even_if_proposed():
    # A major complaint never sits in "proposed", but if it did (data fixed by
    # hand), resolving it must still wait for a manager.
    with pytest.raises(rules.IllegalTransition, match="批准"):
        rules.check("resolve", status="proposed", severity="major")


# --- deadlines ---------------------------------------------------------------


def test_deadline_is_close_of_business_n_working_days_after_receipt():
    cal = WorkCalendar()
    # Monday 2026-03-02 + 5 working days = Monday 2026-03-09, 18:00.
    assert rules.deadline_for(at(2026, 3, 2), 5, cal) == at(2026, 3, 9, 18)


def test_weekends_do_not_count():
    cal = WorkCalendar()
    # Friday + 1 working day = Monday.
    assert rules.deadline_for(at(2026, 3, 6, 17), 1, cal) == at(2026, 3, 9, 18)


def test_a_complaint_received_on_a_saturday_counts_from_that_saturday():
    cal = WorkCalendar()
    assert rules.deadline_for(at(2026, 3, 7), 1, cal) == at(2026, 3, 9, 18)


def test_public_holidays_are_skipped():
    # 劳动节 2026: 1–5 May off.
    holidays = {date(2026, 5, d): False for d in range(1, 6)}
    cal = WorkCalendar(overrides=holidays)
    # Thursday 30 April + 1 working day: 1–5 May off, so Wednesday 6 May
    # (weekends 2–3 May are off anyway).
    assert rules.deadline_for(at(2026, 4, 30), 1, cal) == at(2026, 5, 6, 18)


def test_a_make_up_working_day_on_a_weekend_counts():
    # 调休: Sunday 26 April 2026 is a working day.
    cal = WorkCalendar(overrides={date(2026, 4, 26): True})
    # Friday 24 April + 1 working day = the make-up Sunday.
    assert rules.deadline_for(at(2026, 4, 24), 1, cal) == at(2026, 4, 26, 18)


def test_the_reminder_is_due_24_hours_before_the_deadline():
    deadline = at(2026, 3, 9, 18)
    assert rules.reminder_due_at(deadline) == at(2026, 3, 8, 18)
    assert rules.reminder_due_at(deadline).time() == time(18, 0)


# --- audio -------------------------------------------------------------------

MP3_ID3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 20
MP3_FRAME = b"\xff\xfb\x90\x64" + b"\x00" * 20
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 20
M4A = b"\x00\x00\x00\x20ftypM4A \x00\x00\x00\x00" + b"\x00" * 16
AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 20
AMR = b"#!AMR\n" + b"\x00" * 20
OGG = b"OggS\x00\x02" + b"\x00" * 20


@pytest.mark.parametrize(
    "head, expected",
    [
        (MP3_ID3, "audio/mpeg"),
        (MP3_FRAME, "audio/mpeg"),
        (WAV, "audio/wav"),
        (M4A, "audio/mp4"),
        (AAC, "audio/aac"),
        (AMR, "audio/amr"),
        (OGG, "audio/ogg"),
    ],
)
def test_audio_types_are_recognised_by_their_first_bytes(head, expected):
    assert rules.sniff_audio(head) == expected


@pytest.mark.parametrize(
    "head",
    [
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 20,
        b"%PDF-1.7\n",
        b"<?php echo 1; ?>",
        b"<html><script>alert(1)</script>",
        b"MZ\x90\x00",
        b"PK\x03\x04",
        b"",
    ],
)
def test_other_files_are_not_audio(head):
    assert rules.sniff_audio(head) is None


def test_declared_types_other_than_audio_are_refused():
    assert rules.declared_type_is_audio("audio/x-m4a")
    assert rules.declared_type_is_audio("application/octet-stream")
    assert not rules.declared_type_is_audio("text/html")
    assert not rules.declared_type_is_audio("image/png")


def test_rates_are_percentages_and_none_without_a_base():
    assert rules.rate(1, 3) == 33.3
    assert rules.rate(0, 0) is None
