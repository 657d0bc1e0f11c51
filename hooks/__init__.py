"""Outbound webhooks (issue 17, "Integration"): a tenant's endpoints, the outbox of deliveries
written with the change that caused each event, and their signed, retried delivery by the worker
(docs/integrations.md, "Webhooks")."""
