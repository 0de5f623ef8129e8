"""The vendor link of an assessment: its URL and the context its sealed copy is bound to.

The token travels in the URL's fragment (`/respond#token=…`): browsers never send a fragment to
the server, so the token stays out of access logs and Referer headers. The database keeps the
token's SHA-256 (`tenant.assessment.token_hash`) and, for the invitation and reminder e-mails,
the whole link sealed (`link_sealed`) with `link_context(assessment_id)` as associated data, so a
sealed link copied onto another assessment does not open. The API seals; the pipeline's e-mail
worker unseals with the same context.
"""

from __future__ import annotations

from uuid import UUID

RESPOND_PATH = "/respond"


def respond_url(public_url: str, token: str) -> str:
    """The link a vendor contact opens."""
    return f"{public_url.rstrip('/')}{RESPOND_PATH}#token={token}"


def link_context(assessment_id: UUID) -> str:
    """Associated data of `tenant.assessment.link_sealed` (`draxis.security.crypto.seal`)."""
    return f"assessment_link:{assessment_id}"
