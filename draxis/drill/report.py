"""What a drill found: each stage's restore time and checks, the verdict, and its JSON record.

The JSON record is what the production drill stores and the deploy gate reads
(`draxis.drill.gate`): `{"passed": bool, "finished_at": ISO-8601 UTC, ...}`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime


@dataclass
class Stage:
    name: str  # "logical" or "pitr" (or "cloud-sql-clone")
    how: str  # one sentence: what was restored from what, into what
    restore_seconds: float = 0.0
    tables: int = 0
    rows: int = 0
    problems: list[str] = field(default_factory=list)


@dataclass
class DrillReport:
    source: str  # the database drilled, without credentials
    stages: list[Stage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # failures outside any one stage
    finished_at: str = ""

    @property
    def passed(self) -> bool:
        return bool(self.stages) and not self.problems and not any(s.problems for s in self.stages)

    def finish(self) -> DrillReport:
        self.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        return self

    def record(self) -> str:
        """The JSON record the deploy gate reads."""
        return json.dumps({"passed": self.passed, **asdict(self)}, indent=2, sort_keys=True)

    def render(self) -> str:
        lines = [f"restore drill of {self.source}"]
        for stage in self.stages:
            verdict = "ok" if not stage.problems else "FAILED"
            lines.append(
                f"  {stage.name}: {verdict} - restored in {stage.restore_seconds:.2f} s,"
                f" {stage.tables} tables, {stage.rows} rows identical to the source"
                if not stage.problems
                else f"  {stage.name}: {verdict} - restored in {stage.restore_seconds:.2f} s"
            )
            lines.append(f"    {stage.how}")
            lines += [f"    - {problem}" for problem in stage.problems]
        lines += [f"  - {problem}" for problem in self.problems]
        lines.append("drill PASSED" if self.passed else "drill FAILED")
        return "\n".join(lines)
