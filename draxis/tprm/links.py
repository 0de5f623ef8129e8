"""The vendor link of an assessment, sealed in `tenant.assessment.link_sealed` for its e-mails.

The API seals the link when it sends (or re-sends) an assessment and the pipeline unseals it to
put it in the invitation and reminder e-mails; both must bind it to the same context, so a
sealed link copied onto another assessment does not open (`draxis.security.crypto`).
"""

from __future__ import annotations

from uuid import UUID


def link_context(assessment_id: UUID) -> str:
    return f"assessment_link:{assessment_id}"
