"""SQLAlchemy models: the whole schema. It reaches a database only through alembic/.

Times are stored as timezone-aware UTC (`UTCDateTime`) so SQLite and PostgreSQL agree.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class UTCDateTime(TypeDecorator):
    """Aware datetimes in, aware UTC datetimes out (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """A Telegram user who has talked to the bot. No name, no phone: only what routing needs."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    language: Mapped[str] = mapped_column(String(5), default="ko")
    language_chosen: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)  # False after 403 (blocked)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Staff only (officers and heads: workflows/roles.staff_name): the name colleagues see — the one
    # the admin gave with /grant, else the Telegram name as last seen. A resident's name is never kept.
    staff_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    telegram_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # an officer's choice (/settings): "cards" (a card per new complaint) or "digest" (08:30 summary)
    card_mode: Mapped[str] = mapped_column(String(10), default="cards", server_default="cards")


class Consent(Base):
    """One consent (or its withdrawal) with time, purpose and notice version (개인정보 보호법 §15, §22)."""

    __tablename__ = "consents"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    version: Mapped[str] = mapped_column(String(20))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RoleGrant(Base):
    """officer / evaluator / operator / admin; officers are bound to one department."""

    __tablename__ = "role_grants"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    granted_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class Invite(Base):
    """A one-time deep link (t.me/<bot>?start=inv_<token>) that grants a role."""

    __tablename__ = "invites"
    token: Mapped[str] = mapped_column(String(40), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ReceiptCounter(Base):
    """Running number per year for receipt numbers like 2026-000123."""

    __tablename__ = "receipt_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class Complaint(Base):
    __tablename__ = "complaints"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(20), unique=True)
    submit_key: Mapped[str] = mapped_column(String(64), unique=True)  # one form -> one complaint
    citizen_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    category_code: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # 질의 / 건의 / 고충 / 기타 (민원처리법)
    period: Mapped[str] = mapped_column(String(10))  # "7d", "3h" (workflows.business_time.Period)
    description: Mapped[str] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(String(300), nullable=True)
    latitude: Mapped[float | None] = mapped_column(nullable=True)
    longitude: Mapped[float | None] = mapped_column(nullable=True)
    phone_enc: Mapped[str | None] = mapped_column(Text, nullable=True)  # Fernet token, never plain
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    officer_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    extended: Mapped[bool] = mapped_column(Boolean, default=False)
    answer_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answered_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # business hours from receipt to the (latest) answer, by the working calendar, set with
    # answered_at (workflows.complaints.answer): the indicators' processing time, read in SQL
    processing_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    reminded_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # deadline reminded of
    escalated_for: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # deadline escalated
    # the first-contact desk's code while the complaint is handed to it (its department had nobody
    # reachable): the desk's officers may act on it too (workflows/roles.can_handle); cleared on transfer
    handed_to: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    # a 보완 request to the resident is open (민원처리법 §22): since when and by when. While it is
    # open the processing period stands still; the resident's reply moves deadline_at on by the
    # business time it took (workflows/complaints/supplement.py)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    pause_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # set when retention (or the resident's deletion) removed its personal data; the row stays
    # for the indicators (department, category, times, rating) without text, place or contact
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)

    photos: Mapped[list["ComplaintPhoto"]] = relationship(
        back_populates="complaint", order_by="ComplaintPhoto.position", cascade="all, delete-orphan", lazy="selectin"
    )
    events: Mapped[list["ComplaintEvent"]] = relationship(
        back_populates="complaint", order_by="ComplaintEvent.id", cascade="all, delete-orphan", lazy="selectin"
    )


class ComplaintPhoto(Base):
    __tablename__ = "complaint_photos"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    file_id: Mapped[str] = mapped_column(String(200))
    file_unique_id: Mapped[str] = mapped_column(String(100))
    complaint: Mapped[Complaint] = relationship(back_populates="photos")


class AnswerFile(Base):
    """A photo or document an officer attached to the answer of a complaint (sent with it)."""

    __tablename__ = "answer_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(String(10))  # photo | document
    file_id: Mapped[str] = mapped_column(String(200))
    file_unique_id: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str | None] = mapped_column(String(255), nullable=True)


class AnswerTemplate(Base):
    """A department's saved answer text (staff only); removed ones keep their row (deleted_at)."""

    __tablename__ = "answer_templates"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class ComplaintEvent(Base):
    """Append-only history: every transition with actor, time, from, to and note."""

    __tablename__ = "complaint_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # indexed with the action (ix_complaint_events_complaint_id, below)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None = the system
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20))
    department_code: Mapped[str] = mapped_column(String(40))  # department after the event
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # the officer in charge after a take, assign, takeover or release (None: back to unassigned)
    officer_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    # a transfer: the business hours the sending department held the complaint, from the move that
    # brought it there (workflows.complaints.service.transfer; the indicators' hours lost in transfers)
    held_hours: Mapped[float | None] = mapped_column(Float, nullable=True)
    complaint: Mapped[Complaint] = relationship(back_populates="events")


class ComplaintCard(Base):
    """A copy of a complaint's card queued for an officer or a department group (its outbox row,
    by dedup key), so that every copy can be edited when someone takes the complaint
    (workflows/complaints/casework.py)."""

    __tablename__ = "complaint_cards"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaints.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)


Index("ix_complaints_officer_id", Complaint.officer_id)  # an officer's own list ("mine"), reassignment


class Rating(Base):
    """친절 OSS 5-item survey (workflows/ratings.py) of one service:

    * complaint: one per complaint;
    * onestop: one per department that completed a part of a one-stop application (the family
      answers once; the answers are attributed to each office). Kept, without the application
      link, when the application itself is destroyed after its retention period.

    The department and the officer are snapshotted when the survey is sent."""

    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("application_id", "department_code", name="uq_ratings_application_department"),
        # a complaint's row goes with the complaint (CASCADE); a one-stop's loses its link (SET NULL)
        CheckConstraint(
            "service = 'complaint' AND complaint_id IS NOT NULL AND application_id IS NULL"
            " OR service = 'onestop' AND complaint_id IS NULL",
            name="subject",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    service: Mapped[str] = mapped_column(String(10))  # complaint / onestop
    complaint_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaints.id", ondelete="CASCADE"), unique=True, nullable=True
    )
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("onestop_applications.id", ondelete="SET NULL"), nullable=True
    )
    department_code: Mapped[str] = mapped_column(String(40), index=True)
    officer_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    overall: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    greeting: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    guidance: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    tone: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    answer: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    closing: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)  # complaints only
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OutboxMessage(Base):
    """A message the system sends on its own. Sent by bot/delivery.py only; never twice per key."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "status", "not_before"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dedup_key: Mapped[str] = mapped_column(String(200), unique=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    method: Mapped[str] = mapped_column(String(30))  # sendMessage, sendPhoto, sendLocation, ...
    payload: Mapped[dict] = mapped_column(JSON)
    # pending, sent, failed, cancelled; held: an officer's card Telegram refused (403), kept for their
    # /start; then resent (the complaint's card went again, as it stands now) or cancelled (stale) —
    # workflows/complaints/reachability.py
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    not_before: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class ProcessedUpdate(Base):
    """Telegram update ids already handled (Telegram may deliver one again)."""

    __tablename__ = "processed_updates"
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class FsmRecord(Base):
    """aiogram FSM state and data per storage key, so a restart mid-form loses nothing."""

    __tablename__ = "fsm_records"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(200), nullable=True)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# --- indicators (issue 8) ---


class OutboxFile(Base):
    """A file an outbox row sends by multipart upload (a report's chart or spreadsheet).

    The row's payload names it as ``{"photo": {"outbox_file": id}}``; bot/delivery.py swaps in
    the bytes. Stored in the database so the file and its message commit together."""

    __tablename__ = "outbox_files"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# Period filters of workflows/indicators/service.py (month/quarter/year ranges) read these columns.
Index("ix_complaints_received_at", Complaint.received_at)
# covers the on-time rate, the processing time and their grouping by department and officer
Index(
    "ix_complaints_answered_at",
    Complaint.answered_at,
    Complaint.deadline_at,
    Complaint.department_code,
    Complaint.answered_by,
    Complaint.processing_hours,
)
# covers first-contact resolution (closed in the period, grouped by department and officer)
Index("ix_complaints_closed_at", Complaint.closed_at, Complaint.state, Complaint.department_code, Complaint.answered_by)
Index("ix_ratings_sent_at", Rating.sent_at)
# covers the trend, the ranking and the one-stop figures with their filter (workflows.ratings.counted)
Index(
    "ix_ratings_rated_at", Rating.rated_at, Rating.overall, Rating.service, Rating.complaint_id, Rating.department_code
)
# a complaint's events, and whether it was ever transferred or reopened (first-contact resolution)
Index("ix_complaint_events_complaint_id", ComplaintEvent.complaint_id, ComplaintEvent.action)
# covers the report's event counts (answers, transfers, reopens, extensions in the period, by
# department and officer, and the complaints they touched)
Index(
    "ix_complaint_events_action_at",
    ComplaintEvent.action,
    ComplaintEvent.at,
    ComplaintEvent.complaint_id,
    ComplaintEvent.department_code,
    ComplaintEvent.actor_id,
)


# --- food alerts (issue 6) ---


class FoodOperator(Base):
    """A restaurant registered for food-poisoning alerts (식중독 예방 알림).

    Registered in the chat: user_id set, status "active". Imported from the licence export: no
    user yet, status "invited" with a one-time operator invite; it becomes the user's when the
    invite is redeemed. Stopping deletes the row (nothing is kept once the purpose has ended)."""

    __tablename__ = "food_operators"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=True, unique=True
    )
    business_name: Mapped[str] = mapped_column(String(100))
    business_type: Mapped[str] = mapped_column(String(20), index=True)  # code in food_alerts.json
    dong: Mapped[str | None] = mapped_column(String(20), nullable=True, index=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)  # 소재지 of an imported business
    status: Mapped[str] = mapped_column(String(10), index=True)  # invited, active
    invite_token: Mapped[str | None] = mapped_column(String(40), nullable=True, unique=True)
    import_key: Mapped[str | None] = mapped_column(String(300), nullable=True, unique=True)  # name|address
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FoodForecast(Base):
    """One NHIS forecast row as fetched; the newest row fetched today is today's grade."""

    __tablename__ = "food_forecasts"
    __table_args__ = (Index("ix_food_forecasts_area_day", "lowrnk_zn_cd", "day"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)  # dt, the forecast's date
    zn_cd: Mapped[str] = mapped_column(String(2))
    lowrnk_zn_cd: Mapped[str] = mapped_column(String(5))  # "0" = the 시도 row
    risk: Mapped[int] = mapped_column(SmallInteger)  # 1 관심, 2 주의, 3 경고, 4 위험
    cnt: Mapped[int | None] = mapped_column(Integer, nullable=True)
    guidance: Mapped[str] = mapped_column(Text)  # dissRiskXpln
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class FoodAlertRun(Base):
    """A grade announced to the operators on one day; a second grade the same day is an update."""

    __tablename__ = "food_alert_runs"
    __table_args__ = (UniqueConstraint("day", "risk", name="uq_food_alert_runs_day_risk"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    risk: Mapped[int] = mapped_column(SmallInteger)
    previous_risk: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # None: first that day
    guidance: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FoodNotice(Base):
    """An outbreak notice a 위생과 officer sent to operators (all, one 동 or one 업종)."""

    __tablename__ = "food_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    form_id: Mapped[str] = mapped_column(String(40), unique=True)  # one confirmation -> one notice
    officer_id: Mapped[int] = mapped_column(BigInteger)
    audience: Mapped[str] = mapped_column(String(10))  # all, dong, type
    audience_value: Mapped[str | None] = mapped_column(String(40), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    recipients: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- opinion days (issue 7) ---


class OpinionSubscription(Base):
    """A resident's opinion-day profile: subscribed (opt-in) or not, and their 동 if they gave it.
    A resident who only took part once has a row with active False (for the 동)."""

    __tablename__ = "opinion_subscriptions"
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    active: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    dong: Mapped[str | None] = mapped_column(String(20), nullable=True)
    subscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OpinionTopic(Base):
    """One opinion day (소통 Day): the topic, its schedule, the analysis and the policy answer.

    status: scheduled -> open (announced at 10:00) -> closed (24:00, analysis draft made)
    -> analysed (analysis published) -> answered (policy answer published); missed = the day
    passed without the announcement going out. The due times are stored when it is scheduled;
    *_reminded_at / *_escalated_at make each reminder and escalation happen once."""

    __tablename__ = "opinion_topics"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)  # the third Thursday (local date)
    department_code: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), index=True)
    title: Mapped[str] = mapped_column(String(100))
    background: Mapped[str] = mapped_column(Text)
    image_file_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    link: Mapped[str | None] = mapped_column(String(300), nullable=True)
    question: Mapped[str] = mapped_column(String(300))
    poll_options: Mapped[list | None] = mapped_column(JSON, nullable=True)
    created_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    announce_at: Mapped[datetime] = mapped_column(UTCDateTime)
    close_at: Mapped[datetime] = mapped_column(UTCDateTime)
    analysis_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answer_due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    analysis: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # counts, poll, themes, 동
    analysis_text: Mapped[str | None] = mapped_column(Text, nullable=True)  # the draft, then as published
    analysis_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    analysis_published_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    answer_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer_published_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    analysis_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    analysis_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    answer_escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OpinionParticipant(Base):
    """Someone who voted or wrote on a topic; their 동 is copied from their profile when known."""

    __tablename__ = "opinion_participants"
    __table_args__ = (UniqueConstraint("topic_id", "user_id", name="uq_opinion_participants_topic_user"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("opinion_topics.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    dong: Mapped[str | None] = mapped_column(String(20), nullable=True)
    poll_choice: Mapped[list | None] = mapped_column(JSON, nullable=True)  # option indices; None = no vote
    voted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    joined_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OpinionEntry(Base):
    """One free-text opinion: up to N per person per topic (slot 1..N); an edit replaces the text."""

    __tablename__ = "opinion_entries"
    __table_args__ = (UniqueConstraint("topic_id", "user_id", "slot", name="uq_opinion_entries_topic_user_slot"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("opinion_topics.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id", ondelete="CASCADE"))
    slot: Mapped[int] = mapped_column(SmallInteger)
    text: Mapped[str] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # the resident's message
    theme: Mapped[str | None] = mapped_column(String(40), nullable=True)  # keyword of its theme
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OpinionPoll(Base):
    """A native poll sent to one resident: Telegram's poll id -> topic, to match poll_answer."""

    __tablename__ = "opinion_polls"
    poll_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("opinion_topics.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(BigInteger)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class OpinionTheme(Base):
    """A theme of the analysis and what was reflected in policy for it (the 20-day answer)."""

    __tablename__ = "opinion_themes"
    __table_args__ = (UniqueConstraint("topic_id", "rank", name="uq_opinion_themes_topic_rank"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("opinion_topics.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(SmallInteger)
    keyword: Mapped[str] = mapped_column(String(40))
    opinions: Mapped[int] = mapped_column(Integer)
    participants: Mapped[int] = mapped_column(Integer)
    policy_status: Mapped[str | None] = mapped_column(String(12), nullable=True)  # reflected, partly, reviewing, not
    policy_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


# --- birth and death one-stop (issue 3) ---


class OnestopApplication(Base):
    """One birth or death report that fans out into sub-requests (출생·사망 원스톱).

    `facts` holds only what the family answered (dates, 동, yes/no answers; never a resident
    registration number); `consents` the §15 collection consent and each §17 provision answer
    with its time and notice version."""

    __tablename__ = "onestop_applications"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    receipt_no: Mapped[str] = mapped_column(String(20), unique=True)
    submit_key: Mapped[str] = mapped_column(String(64), unique=True)  # one form -> one application
    kind: Mapped[str] = mapped_column(String(10))  # birth / death
    citizen_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    dong: Mapped[str] = mapped_column(String(40))
    event_date: Mapped[date] = mapped_column(Date)  # the child's birth date / the date of death
    report_made: Mapped[bool] = mapped_column(Boolean, default=False)  # 출생신고 / 사망신고 already made
    facts: Mapped[dict] = mapped_column(JSON, default=dict)
    consents: Mapped[dict] = mapped_column(JSON, default=dict)
    contact_phone_enc: Mapped[str | None] = mapped_column(Text, nullable=True)  # Fernet token
    reminders_on: Mapped[bool] = mapped_column(Boolean, default=True)
    state: Mapped[str] = mapped_column(String(20), index=True)  # open / completed
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)

    items: Mapped[list["OnestopItem"]] = relationship(
        back_populates="application", order_by="OnestopItem.id", cascade="all, delete-orphan", lazy="selectin"
    )


class OnestopItem(Base):
    """One sub-request: a benefit or an agency notice, routed to a department (department_code)
    or an outside body (agency_code; department_code set too when it is relayed by hand)."""

    __tablename__ = "onestop_items"
    __table_args__ = (UniqueConstraint("application_id", "code", name="uq_onestop_items_application_code"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("onestop_applications.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    department_code: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    agency_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    first_year_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    amount_confirmed: Mapped[bool] = mapped_column(Boolean, default=True)
    officer_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)  # last message to the family
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    application: Mapped[OnestopApplication] = relationship(back_populates="items")
    events: Mapped[list["OnestopItemEvent"]] = relationship(
        order_by="OnestopItemEvent.id", cascade="all, delete-orphan", lazy="selectin"
    )


class OnestopItemEvent(Base):
    """Append-only history of a sub-request (actor, time, from, to, note)."""

    __tablename__ = "onestop_item_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("onestop_items.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # None = the system
    action: Mapped[str] = mapped_column(String(20))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


class AgencyNotification(Base):
    """A notice to an outside body through its channel (webhook or Telegram chat), with every
    attempt counted and the acknowledgement recorded."""

    __tablename__ = "agency_notifications"
    __table_args__ = (Index("ix_agency_notifications_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("onestop_items.id", ondelete="CASCADE"), unique=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))  # webhook / telegram
    target: Mapped[str] = mapped_column(String(300))  # URL or chat id
    payload: Mapped[dict] = mapped_column(JSON)  # the facts sent (no phone: added at send time)
    status: Mapped[str] = mapped_column(String(20))  # pending / sent / acknowledged / failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    ack_ref: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ack_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class OnestopReminder(Base):
    """A reminder of one deadline (출생신고, 사망신고, the death checklist), due at a fixed time;
    sent once through the outbox, or skipped/cancelled."""

    __tablename__ = "onestop_reminders"
    __table_args__ = (
        UniqueConstraint("application_id", "code", "days_before", name="uq_onestop_reminders_application_code_days"),
        Index("ix_onestop_reminders_due", "status", "due_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("onestop_applications.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    deadline: Mapped[date] = mapped_column(Date)
    days_before: Mapped[int] = mapped_column(SmallInteger)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending / sent / skipped / cancelled
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


# --- new residents (issue 5) ---


class NewResident(Base):
    """A new resident's opt-in subscription (전입주민 생활정보 + monthly newsletter): one per user.

    Deleted on 수신 거부 and ``retention_days`` after the move-in date; the consent row (purpose
    new_resident_info) records when it was given and withdrawn. ``token`` names this subscription
    in outbox keys, so subscribing again after stopping sends the information again."""

    __tablename__ = "new_residents"
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    token: Mapped[str] = mapped_column(String(32), unique=True)
    dong: Mapped[str] = mapped_column(String(20))
    moved_in_on: Mapped[date] = mapped_column(Date, index=True)
    head_age: Mapped[str | None] = mapped_column(String(8), nullable=True)  # age band code; None = skipped
    children_under_7: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    school_age_children: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    seniors_65: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    pet: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    car: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    subscribed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class NewsletterIssue(Base):
    """One month's newsletter: scheduled (confirmed by the editor) -> sending (every subscriber's
    outbox row queued) -> sent (delivery finished, counts reported to the editor)."""

    __tablename__ = "newsletter_issues"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), unique=True)  # "2026-12"
    text: Mapped[str] = mapped_column(Text)  # HTML
    photo_file_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    links: Mapped[list] = mapped_column(JSON, default=list)  # [[label, url], ...]
    editor_id: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(10), index=True)  # scheduled, sending, sent
    send_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    fanned_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recipients: Mapped[int | None] = mapped_column(Integer, nullable=True)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    sent_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    blocked_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    failed_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cancelled_count: Mapped[int | None] = mapped_column(Integer, nullable=True)


# --- registration license tax one-stop (issue 4) ---


class LicenseTaxCounter(Base):
    """Running number per year for notice numbers like LT-2026-000123."""

    __tablename__ = "license_tax_counters"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)


class LicenseTaxNotice(Base):
    """One 등록면허세 (면허분) request and its notice (고지서): requested -> awaiting_class (the 종
    is not confirmed) -> issued (payable into its virtual account) -> paid, or cancelled, or
    refund_requested (§37), or non_taxable (a 변경면허 the tax officer found not taxable under
    시행령 §40②1). Every change is also a LicenseTaxEvent; no row is ever deleted."""

    __tablename__ = "license_tax_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_no: Mapped[str] = mapped_column(String(20), unique=True)
    submit_key: Mapped[str] = mapped_column(String(64), unique=True)  # one form -> one notice
    citizen_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("users.id"), index=True)
    licence_code: Mapped[str] = mapped_column(String(60))
    licence_name: Mapped[str] = mapped_column(String(200))  # Korean name, as it was when requested
    request_kind: Mapped[str] = mapped_column(
        String(20)
    )  # new / change_holder / change_class_up / ... (license_tax.json)
    figure: Mapped[float | None] = mapped_column(Float, nullable=True)  # 영업장 면적 ㎡ (85.5) or 종업원 수
    tax_class: Mapped[int | None] = mapped_column(SmallInteger, nullable=True)  # 제N종
    class_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    rate_column: Mapped[str] = mapped_column(String(20))  # city_500k / city / county
    amount: Mapped[int | None] = mapped_column(Integer, nullable=True)  # 원, once the 종 is known
    legal_basis: Mapped[str] = mapped_column(Text)
    body_code: Mapped[str] = mapped_column(String(40))  # the licensing body
    business_name: Mapped[str] = mapped_column(String(100))
    dong: Mapped[str] = mapped_column(String(40))  # the 사업장's 동 (or 읍·면)
    taxpayer_name_enc: Mapped[str | None] = mapped_column(Text, nullable=True)  # Fernet token
    expected_issue_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    due_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    bank_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    virtual_account: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    officer_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # who settled the 종
    paid_amount: Mapped[int | None] = mapped_column(Integer, nullable=True)
    verification_code: Mapped[str | None] = mapped_column(String(20), nullable=True)
    refund_complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaints.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)  # cancelled / refund
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True, index=True)


class LicenseTaxPayment(Base):
    """A payment as it arrived: a bank notification (transaction_id from the bank) or an officer's
    수납 처리 in the chat. status: applied (paid the notice), held_mismatch / held_unmatched /
    held_duplicate / held_cancelled (for the officer), accepted / to_return (the officer decided)."""

    __tablename__ = "license_tax_payments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[str] = mapped_column(String(80), unique=True)  # a replay is refused by it
    source: Mapped[str] = mapped_column(String(10))  # bank / officer
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("license_tax_notices.id"), nullable=True, index=True)
    virtual_account: Mapped[str | None] = mapped_column(String(40), nullable=True)
    amount: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20), index=True)
    officer_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class LicenseTaxConfirmation(Base):
    """The payment confirmation to the licensing body (replaces the fax): one per paid notice, sent
    through the body's channel, every attempt counted."""

    __tablename__ = "license_tax_confirmations"
    __table_args__ = (Index("ix_license_tax_confirmations_due", "status", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("license_tax_notices.id"), unique=True)
    body_code: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))  # webhook / telegram / department / manual
    target: Mapped[str] = mapped_column(String(300))  # URL, chat id or department code
    payload: Mapped[dict] = mapped_column(JSON)  # what the body is told (no taxpayer name)
    status: Mapped[str] = mapped_column(String(20))  # pending / sending / sent / failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(300), nullable=True)


class LicenseTaxEvent(Base):
    """Append-only history of notices, payments and confirmations (actor, time, from, to, note)."""

    __tablename__ = "license_tax_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("license_tax_notices.id"), nullable=True, index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("license_tax_payments.id"), nullable=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(20))  # citizen / officer / bank / body / system
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_state: Mapped[str | None] = mapped_column(String(20), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)


# --- production (issue 9) ---


class AuditEntry(Base):
    """Append-only audit log: role changes and every officer or admin action on personal data
    (viewing a contact, photos or a location, exports, deletions, retention purges). ``detail``
    names things (receipt numbers, roles, counts), never the personal data itself."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True, index=True)  # None = the system
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(40), index=True)
    subject_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)  # user, complaint, ...
    subject_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    detail: Mapped[str | None] = mapped_column(String(500), nullable=True)


class Lease(Base):
    """Which instance runs the singletons (scheduler, delivery worker) when several share one
    database: the holder renews ``expires_at``; another takes over once it has passed."""

    __tablename__ = "leases"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
