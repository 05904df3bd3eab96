"""Developer tools kept apart from the product: demo seeders (`seed_demo`), the
large-data generator (`seed_large`) and the benchmark (`bench`).

Installed while DEBUG is on or with CRM_DEVTOOLS=1; production code imports
nothing from here (an import-linter contract checks it).
"""
