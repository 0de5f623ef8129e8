"""Notification centre, preferences and webhook endpoints: the shapes the API answers with."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints

from api.types import PlainText, Strict

EventName = Annotated[
    str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,3}$", max_length=100)
]


class NotificationOut(BaseModel):
    id: UUID
    event: str
    title: str
    body: str
    link: str | None
    subject_kind: str | None
    subject_id: UUID | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(BaseModel):
    """Newest first; `next_before` is the `before` of the next page (null on the last one)."""

    items: list[NotificationOut]
    unread: int
    next_before: datetime | None


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int


class EventPreference(BaseModel):
    event: str
    description: str
    email: bool


class PreferencesOut(BaseModel):
    """In-app is always on; `email` per event; `digest`: one e-mail a day instead of one each."""

    digest: bool
    events: list[EventPreference]


class PreferencesIn(Strict):
    digest: bool
    email_off: list[EventName] = Field(default_factory=list, max_length=100)


Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=2000)]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=PlainText)
]


class EndpointIn(Strict):
    """A receiver of signed webhooks. `events` empty: every event."""

    url: Url
    description: Description = ""
    events: list[EventName] = Field(default_factory=list, max_length=100)
    enabled: bool = True


class EndpointOut(BaseModel):
    id: UUID
    url: str
    description: str
    events: list[str]
    enabled: bool
    created_at: datetime
    secret_rotated_at: datetime


class EndpointWithSecret(EndpointOut):
    """Answered once, on creation and rotation: the signing secret is never shown again."""

    secret: str


DeliveryStatus = Literal["pending", "sent", "failed", "skipped"]


class AttemptOut(BaseModel):
    attempt: int
    at: datetime
    status_code: int | None
    latency_ms: int
    outcome: str
    error: str | None
    response_excerpt: str | None
    next_attempt_at: datetime | None


class DeliveryOut(BaseModel):
    id: UUID
    event: str
    notification_id: UUID | None
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    sent_at: datetime | None
    created_at: datetime
    log: list[AttemptOut]
