"""Customer voice: service-level and enterprise surveys, the customer watch."""
