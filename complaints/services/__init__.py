"""Writes with rules for complaints, and the figures other apps read.

Split by concern; import from here: `from complaints import services`.
"""

from .clocks import complaint_pause, complaint_resume
from .deadlines import (
    complaint_deadlines_sweep,
    complaint_escalate,
    complaint_regulatory_escalate,
    complaint_regulatory_remind,
    complaint_remind,
)
from .figures import complaint_figures, complaint_figures_by_unit
from .lifecycle import (
    complaint_approve,
    complaint_assign,
    complaint_attach_recording,
    complaint_deadline,
    complaint_log,
    complaint_next_number,
    complaint_notify_customer,
    complaint_propose,
    complaint_record_findings,
    complaint_regulatory_due,
    complaint_resolve,
    complaint_return_visit,
    complaint_send_back,
    complaint_start_investigation,
)
from .merge import complaint_merge
from .recording import recording_validate
from .waybills import complaint_repeat_of, complaint_set_waybills

__all__ = [
    "complaint_approve",
    "complaint_assign",
    "complaint_attach_recording",
    "complaint_deadline",
    "complaint_deadlines_sweep",
    "complaint_escalate",
    "complaint_figures",
    "complaint_figures_by_unit",
    "complaint_log",
    "complaint_merge",
    "complaint_next_number",
    "complaint_notify_customer",
    "complaint_pause",
    "complaint_propose",
    "complaint_record_findings",
    "complaint_regulatory_due",
    "complaint_regulatory_escalate",
    "complaint_regulatory_remind",
    "complaint_remind",
    "complaint_repeat_of",
    "complaint_resolve",
    "complaint_resume",
    "complaint_return_visit",
    "complaint_send_back",
    "complaint_set_waybills",
    "complaint_start_investigation",
    "recording_validate",
]
