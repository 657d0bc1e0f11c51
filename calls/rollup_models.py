"""The dashboard's rollups: one row per tenant, day (or month) and key, counting calls."""

from django.db import models

# --- the dashboard's daily rollups (calls/rollups.py keeps them in step with calls_call) -----
# Plain integer columns (no foreign keys): database triggers write them whatever path writes a
# call, and a row is deleted when its count falls to 0, so a tenant's rows go with its calls.
# manager_id 0: a call without a user (removed).


class _Counts(models.Model):
    """What the rollups count of a manager's calls: the calls by result, and what came of them."""

    tenant_id = models.BigIntegerField()
    manager_id = models.BigIntegerField()
    calls = models.BigIntegerField(default=0)
    # By result (Call.Status): one column each, so a day has one row per manager.
    placed = models.BigIntegerField(default=0)
    failed = models.BigIntegerField(default=0)
    unknown = models.BigIntegerField(default=0)
    placing = models.BigIntegerField(default=0)
    known = models.BigIntegerField(default=0)  # the outcome is final (push or call record)
    answered = models.BigIntegerField(default=0)  # known, and the customer talked
    awaiting = models.BigIntegerField(default=0)  # awaiting wrap-up
    talked = models.BigIntegerField(default=0)  # calls with a talk time
    talk_seconds = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class DayRollup(_Counts):
    """Per tenant, local day and customer manager."""

    day = models.DateField()

    class Meta:
        db_table = "calls_rollup_day"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "day", "manager_id"], name="rollup_day_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day} {self.manager_id}"


class MonthRollup(_Counts):
    """The same per calendar month (its first day): a long period reads its whole months here
    and only its ragged ends from DayRollup."""

    month = models.DateField()

    class Meta:
        db_table = "calls_rollup_month"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "month", "manager_id"], name="rollup_month_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.month} {self.manager_id}"


class ReasonRollup(models.Model):
    """Per tenant and local day: failed and unknown calls by their reason (source and code)."""

    tenant_id = models.BigIntegerField()
    day = models.DateField()
    reason_source = models.CharField(max_length=24)
    reason_code = models.CharField(max_length=32)
    calls = models.BigIntegerField(default=0)

    class Meta:
        db_table = "calls_rollup_reason"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "day", "reason_source", "reason_code"],
                name="rollup_reason_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day} {self.reason_source} {self.reason_code}"


class DispositionRollup(models.Model):
    """Per tenant, local day and customer manager: wrapped-up calls by disposition."""

    tenant_id = models.BigIntegerField()
    day = models.DateField()
    manager_id = models.BigIntegerField()
    disposition_id = models.BigIntegerField()
    calls = models.BigIntegerField(default=0)

    class Meta:
        db_table = "calls_rollup_disposition"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "day", "manager_id", "disposition_id"],
                name="rollup_disposition_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.day} {self.manager_id} {self.disposition_id}"


class DispositionMonthRollup(models.Model):
    """DispositionRollup per calendar month (its first day)."""

    tenant_id = models.BigIntegerField()
    month = models.DateField()
    manager_id = models.BigIntegerField()
    disposition_id = models.BigIntegerField()
    calls = models.BigIntegerField(default=0)

    class Meta:
        db_table = "calls_rollup_disposition_month"
        constraints = [
            models.UniqueConstraint(
                fields=["tenant_id", "month", "manager_id", "disposition_id"],
                name="rollup_disposition_month_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id} {self.month} {self.manager_id} {self.disposition_id}"
