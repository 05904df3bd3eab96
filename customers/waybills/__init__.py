"""Waybills (运单号): the parcel numbers complaints, entries and urgent reports name."""
