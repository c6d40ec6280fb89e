"""Import businesses from the public 일반음식점 licence export as pending invitations.

The export (지방행정 인허가데이터) has, among many columns, 사업장명, 소재지(전체주소), 업태구분명 and
영업상태명. Each open business becomes a ``FoodOperator`` row with status "invited" and a one-time
operator invite (``roles.create_invite``), never a made-up chat id: it starts receiving alerts only
when someone redeems its link. Closed businesses, rows without a name and repeats are skipped and
counted; a business imported before (same name and address) is not imported again.

The 동 is taken from the address only when a word of it is one of the district's 동 names; the
export's addresses name the 법정동, which often differs from the 행정동, so many rows have none
(they still get the daily alerts; only notices by 동 miss them).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from workflows.models import FoodOperator, Invite
from workflows import audit, roles
from workflows.context import Services
from workflows.district import dong_in
from workflows.food_alerts.service import INVITED, FoodConfig, config
from workflows.roles import OPERATOR

ENCODINGS = ("utf-8-sig", "cp949")


class CsvError(ValueError):
    """The file cannot be imported; ``code`` names the text to show (food.csv.<code>)."""

    def __init__(self, code: str, **kw):
        super().__init__(code)
        self.code, self.kw = code, kw


@dataclass(frozen=True)
class ImportRow:
    name: str
    address: str
    business_type: str
    dong: str | None

    @property
    def key(self) -> str:
        return f"{' '.join(self.name.split())}|{' '.join(self.address.split())}"[:300]


@dataclass
class Parsed:
    rows: list[ImportRow] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)  # closed, no_name, duplicate


def _decode(data: bytes) -> str:
    for enc in ENCODINGS:
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise CsvError("encoding")


def type_for_export(cfg: FoodConfig, name: str) -> str:
    """업태구분명 -> our 업종 code ('other' when unlisted)."""
    name = (name or "").strip()
    return next((b.code for b in cfg.types.values() if name in b.export_names), "other")


def _columns(header: list[str], cfg: FoodConfig) -> dict[str, str]:
    present = {h.strip().lstrip("\ufeff") for h in header}
    found, missing = {}, []
    for logical, names in cfg.export_columns.items():
        name = next((n for n in names if n in present), None)
        if name is None:
            missing.append(names[0])
        found[logical] = name
    if missing:
        raise CsvError("missing_columns", columns=", ".join(missing))
    return found


def parse_licence_csv(data: bytes, dongs: tuple[str, ...], cfg: FoodConfig | None = None) -> Parsed:
    cfg = cfg or config()
    if len(data) > cfg.max_bytes:
        raise CsvError("too_big", mb=cfg.max_bytes // 1_000_000)
    text = _decode(data)
    if not text.strip():
        raise CsvError("empty")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise CsvError("empty")
    reader.fieldnames = [h.strip().lstrip("\ufeff") for h in reader.fieldnames]
    cols = _columns(reader.fieldnames, cfg)
    out, seen = Parsed(), set()
    try:
        for i, rec in enumerate(reader, start=1):
            if i > cfg.max_rows:
                raise CsvError("too_many_rows", max=cfg.max_rows)
            get = lambda logical: " ".join((rec.get(cols[logical]) or "").split())  # noqa: E731, B023 - this row's
            if get("status") not in cfg.open_status:
                out.skipped["closed"] += 1
                continue
            if not get("name"):
                out.skipped["no_name"] += 1
                continue
            row = ImportRow(
                get("name")[:100],
                get("address")[:200],
                type_for_export(cfg, get("type")),
                dong_in(get("address"), dongs),
            )
            if row.key in seen:
                out.skipped["duplicate"] += 1
                continue
            seen.add(row.key)
            out.rows.append(row)
    except csv.Error:
        raise CsvError("malformed") from None
    if not out.rows and not out.skipped:
        raise CsvError("empty")
    return out


@dataclass
class Imported:
    created: list[tuple[FoodOperator, Invite]]
    already: int  # imported before


async def import_businesses(
    session: AsyncSession, svc: Services, rows: list[ImportRow], *, by: int, cfg: FoodConfig | None = None
) -> Imported:
    cfg = cfg or config()
    known = set(await session.scalars(select(FoodOperator.import_key).where(FoodOperator.import_key.is_not(None))))
    now: datetime = svc.now()
    created, already = [], 0
    for row in rows:
        if row.key in known:
            already += 1
            continue
        inv = await roles.create_invite(
            session,
            role=OPERATOR,
            department_code=None,
            by=by,
            departments=svc.district.departments,
            now=now,
            audited=False,
        )
        inv.expires_at = now + cfg.invite_ttl
        op = FoodOperator(
            business_name=row.name,
            business_type=row.business_type,
            dong=row.dong,
            address=row.address or None,
            status=INVITED,
            invite_token=inv.token,
            import_key=row.key,
            created_at=now,
            updated_at=now,
        )
        session.add(op)
        created.append((op, inv))
        known.add(row.key)
    await session.flush()
    # one entry for the batch (the invites in it are not audited one by one)
    audit.record(
        session,
        audit.FOOD_IMPORT,
        actor_id=by,
        actor_role=roles.ADMIN,
        subject_kind="food_operators",
        detail=audit.details(rows=len(rows), created=len(created), already=already),
        at=now,
    )
    return Imported(created, already)


def _cell(value: str) -> str:
    """A spreadsheet must not run a cell as a formula (=, +, -, @ first)."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@") else value


def invitations_csv(
    svc: Services, created: list[tuple[FoodOperator, Invite]], lang: str, cfg: FoodConfig | None = None
) -> bytes:
    """The links to print or turn into QR codes, one per business (UTF-8 with BOM for Excel)."""
    cfg = cfg or config()
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(
        ["사업장명", "소재지", "업종", "동", "초대 링크", "유효 기한"]
        if lang != "en"
        else ["business", "address", "type", "dong", "invite link", "valid until"]
    )
    for op, inv in created:
        w.writerow(
            [
                _cell(op.business_name),
                _cell(op.address or ""),
                cfg.types[op.business_type].name(lang),
                op.dong or "",
                f"https://t.me/{svc.bot_username}?start=inv_{inv.token}",
                f"{inv.expires_at.astimezone(svc.tz):%Y-%m-%d}",
            ]
        )
    return buf.getvalue().encode("utf-8-sig")
