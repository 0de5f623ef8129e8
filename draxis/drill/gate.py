"""The deploy gate: a production deploy needs a passed restore drill from the last 90 days.

`python -m draxis.drill.gate RECORD.json` exits 0 when the drill record (the JSON the production
drill stores, `draxis.drill.report.DrillReport.record`) says the drill passed and finished within
`MAX_AGE`; otherwise it prints why and exits 1. A missing or unreadable record blocks too: no
proof is not a pass. Standard library only, so the deploy workflow runs it without installing.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

MAX_AGE = timedelta(days=90)
# A clock a little ahead on the drill's side is not a reason to block; a record from next week is.
_CLOCK_SKEW = timedelta(minutes=10)


def drill_verdict(record: str | None, now: datetime) -> tuple[bool, str]:
    """(deploy allowed, the reason in one sentence) for a drill record's text."""
    if record is None or not record.strip():
        return False, "no restore drill record: run the restore drill (docs/operations.md)"
    try:
        data = json.loads(record)
    except json.JSONDecodeError as exc:
        return False, f"the restore drill record is not JSON ({exc.msg})"
    if not isinstance(data, dict):
        return False, "the restore drill record is not a JSON object"
    finished = data.get("finished_at")
    if not isinstance(finished, str):
        return False, "the restore drill record has no finished_at"
    try:
        at = datetime.fromisoformat(finished)
    except ValueError:
        return False, f"the restore drill record's finished_at {finished!r} is not ISO 8601"
    if at.tzinfo is None:
        return False, f"the restore drill record's finished_at {finished!r} has no time zone"
    if at > now + _CLOCK_SKEW:
        return False, f"the restore drill record is dated in the future ({finished})"
    age = now - at
    if data.get("passed") is not True:
        problems = data.get("problems") or [
            p
            for s in data.get("stages") or []
            if isinstance(s, dict)
            for p in s.get("problems") or []
        ]
        first = f": {problems[0]}" if problems else ""
        return False, f"the last restore drill ({finished}) failed{first}"
    if age > MAX_AGE:
        return False, (
            f"the last passed restore drill is {age.days} days old ({finished});"
            f" one within {MAX_AGE.days} days is required"
        )
    return True, f"restore drill passed {age.days} days ago ({finished})"


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m draxis.drill.gate RECORD.json", file=sys.stderr)
        return 2
    path = Path(argv[0])
    record = path.read_text() if path.is_file() else None
    allowed, reason = drill_verdict(record, datetime.now(UTC))
    print(("deploy allowed: " if allowed else "deploy BLOCKED: ") + reason)
    return 0 if allowed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
