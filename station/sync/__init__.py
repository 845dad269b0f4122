"""Sync with upstream systems: signed webhook delivery of outbox events, RMA pull."""
