"""Reporting's adapters. Every module that defines tables is imported here, so that importing any adapter
(``reporting.adapters.tables`` for its ``metadata``: the app, the migrations, their test) sees all of them."""

from reporting.adapters import audit_chain_store  # noqa: F401 - registers the audit trail's tables
