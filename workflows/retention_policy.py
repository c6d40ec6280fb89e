"""How long each kind of personal data is kept (RETENTION_* settings): the policy alone, so the
services' context can hold one without importing the retention duty (workflows/privacy/retention.py)."""

from __future__ import annotations

from dataclasses import dataclass, fields

DAYS_PER_YEAR = 365


@dataclass(frozen=True)
class RetentionPolicy:
    """Days each kind is kept after its clock starts (see the module docstring)."""

    contact_days: int = 365
    complaint_days: int = 365
    onestop_days: int = 365
    opinion_days: int = 365
    outbox_days: int = 90
    form_days: int = 30
    taxpayer_name_days: int = 365
    tax_record_days: int = 5 * DAYS_PER_YEAR
    batch: int = 500  # rows per transaction

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if not isinstance(v, int) or isinstance(v, bool) or v <= 0:
                raise ValueError(f"retention: {f.name} must be a whole number > 0, got {v!r}")

    @classmethod
    def from_settings(cls, s) -> "RetentionPolicy":
        """From bot.config.Settings (RETENTION_* and FORM_TTL_DAYS, validated there)."""
        return cls(
            contact_days=s.retention_contact_days,
            complaint_days=s.retention_complaint_days,
            onestop_days=s.retention_onestop_days,
            opinion_days=s.retention_opinion_days,
            outbox_days=s.retention_outbox_days,
            form_days=s.form_ttl_days,
            taxpayer_name_days=s.retention_taxpayer_name_days,
            tax_record_days=s.retention_tax_record_days,
        )

    def days(self, kind: str) -> int:
        return getattr(self, {"forms": "form_days"}.get(kind, f"{kind}_days"))
