"""The search box and the waybill page: what the user's scope holds about a
waybill, a complaint number or a customer, gathered from every app."""
