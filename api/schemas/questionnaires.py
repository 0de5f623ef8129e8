"""Bodies and answers of the questionnaire routes (`api.routes.questionnaires`).

A document in a response is `QuestionnaireDocument` itself (docs/tprm.md); a document in a
request is a JSON object checked by `draxis.tprm.validation`, so that a refusal names the JSON
path of each problem (`errors: [{path, message}]`) instead of pydantic's union locations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.patch_body import PatchBody
from api.types import Name, Strict
from draxis.tprm.document import QuestionnaireDocument

QuestionnaireSlug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,79}$")]
LibraryKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,79}$")]
Description = Annotated[str, StringConstraints(max_length=4000, pattern=r"^[^\x00]*$")]
VersionStatus = Literal["draft", "published"]


class TemplateOut(BaseModel):
    """A questionnaire Draxis ships."""

    key: str
    name: str
    description: str
    questions: int


class QuestionnaireCreate(Strict):
    """A new questionnaire with a draft: blank (give a name), from a shipped template
    (`from_library`), or a copy of one of the tenant's questionnaires (`copy_of`)."""

    name: Name | None = None
    slug: QuestionnaireSlug | None = None
    description: Description | None = None
    from_library: LibraryKey | None = None
    copy_of: UUID | None = None

    @model_validator(mode="after")
    def _one_source(self) -> QuestionnaireCreate:
        if self.from_library is not None and self.copy_of is not None:
            raise ValueError("give from_library or copy_of, not both")
        if self.from_library is None and self.copy_of is None and self.name is None:
            raise ValueError("a blank questionnaire needs a name")
        return self


class QuestionnairePatch(PatchBody):
    name: Name | None = None
    description: Description | None = None
    archived: bool | None = None


class QuestionnaireSummary(BaseModel):
    id: UUID
    slug: str
    name: str
    description: str
    origin: str | None
    archived: bool
    latest_version: int | None = Field(description="The newest published version, if any.")
    has_draft: bool
    questions: int = Field(description="Questions in the draft, else in the latest version.")
    assessments: int
    updated_at: datetime


class VersionSummary(BaseModel):
    version: int
    status: VersionStatus
    questions: int
    created_at: datetime
    published_at: datetime | None


class QuestionnaireOut(QuestionnaireSummary):
    versions: list[VersionSummary]


class QuestionnaireVersionOut(BaseModel):
    questionnaire_id: UUID
    version: int
    status: VersionStatus
    created_at: datetime
    published_at: datetime | None
    document: QuestionnaireDocument


class DocumentProblemOut(BaseModel):
    path: str = Field(description="JSON path in the document, like steps[0].questions[2].text.")
    message: str
