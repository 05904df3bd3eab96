"""The REST API (/api/v1/): the pages' selectors and services behind JSON, API
keys, idempotent creates and signed webhooks."""
