"""Urgent reports (巡访紧急报告): raised by a supervisor, routed to a manager in the background."""
