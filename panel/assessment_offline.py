"""The offline analyst's evaluation of assessment answers: rules, when no model is configured.

Pure and deterministic. Each answer (text, and the text of its evidence) is checked against the
question's requirement:

- **Key terms**: the requirement's significant words (four letters or more, not common words)
  and its alphanumeric tokens (`SOC`, `27001`): the share found in the answer or its evidence.
- **Time frames**: a requirement naming a duration (`within 72 hours`, `less than 12 months`)
  is a bound. A text answer meets it when it names a duration within the bound (`24 hours`,
  `2 days` for 72 hours); a file meets it when the newest date in its text is at most that old
  on the day of evaluation ("evidence recent").
- **Evidence**: a file question without any file scores 0; a file whose text cannot be read
  counts as present but unread.

The score is the weighted mean of the checks that apply (time frame and recency weigh 2, key
terms 1), rounded to three decimals. The rationale says plainly that no model was involved.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from draxis.tprm.evaluation import Item, Outcome, Request, Source, Verdict, clip
from panel.evidence_text import evidence_text

PREFIX = "Offline analyst: no language model is configured; scored by rules. "
EVIDENCE_CHARS = 50_000  # of each file's text: the checks look for terms and dates, not everything
_HOURS = {"hour": 1, "hr": 1, "day": 24, "week": 24 * 7, "month": 24 * 365 / 12, "year": 24 * 365}
_DURATION = re.compile(
    r"(\d+(?:\.\d+)?)\s*(hours?|hrs?|days?|weeks?|months?|years?)\b", re.IGNORECASE
)
_AT_LEAST = re.compile(r"(at least|minimum of|no less than|more than)\s*$", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+", re.IGNORECASE)
_STOP = frozenset(
    re.findall(
        r"\w+",
        """
    about above after again against also among and any are been before being below between
    both but can could does doing down during each else every few for from further have having
    here hers how into its itself just least less made make many more most must need needs
    none nor not now off once only other ought our ours out over own same shall should some
    such than that the their theirs them then there these they this those through under until
    upon very was were what when where which while who whom why will with within would year
    years month months days hours week weeks your yours customer customers vendor vendors
    provide provides provided least older newer
    """,
    )
)
_MONTH_NAMES = re.findall(
    r"\w+", "january february march april may june july august september october november december"
)
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NAMED = re.compile(
    r"\b(?:(\d{1,2})\s+)?(" + "|".join(_MONTHS) + r")\s+(?:(\d{1,2}),?\s+)?(\d{4})\b",
    re.IGNORECASE,
)


def _hours(amount: str, unit: str) -> float:
    base = unit.lower().rstrip("s")
    return float(amount) * _HOURS["hr" if base == "hr" else base]


Duration = tuple[float, str]  # (hours, as written)


def bound(requirement: str) -> tuple[Duration, bool] | None:
    """The requirement's first duration, and whether it is a minimum (else a maximum)."""
    match = _DURATION.search(requirement)
    if match is None:
        return None
    minimum = _AT_LEAST.search(requirement[: match.start()]) is not None
    return (_hours(match.group(1), match.group(2)), match.group(0)), minimum


def durations(text: str) -> list[Duration]:
    return [(_hours(m.group(1), m.group(2)), m.group(0)) for m in _DURATION.finditer(text)]


def stem(term: str) -> str:
    """A crude stem, so `notified` finds `notify` and `confirmation` finds `confirming`."""
    return term[:5] if len(term) > 5 else term


def key_terms(requirement: str) -> list[str]:
    terms: list[str] = []
    for word in _WORD.findall(requirement.lower()):
        significant = (len(word) >= 4 and word.isalpha()) or (
            any(c.isdigit() for c in word) and any(c.isalpha() for c in word)
        )
        if significant and word not in _STOP:
            terms.append(word)
    for token in re.findall(r"\b[A-Z]{2,}\b|\b\d{3,}\b", requirement):
        terms.append(token.lower())
    return list(dict.fromkeys(terms))


def dates_in(text: str) -> list[date]:
    found: list[date] = []
    for y, m, d in _ISO.findall(text):
        found.extend(_day(int(y), int(m), int(d)))
    for match in _NAMED.finditer(text):
        day = match.group(1) or match.group(3) or "1"
        found.extend(_day(int(match.group(4)), _MONTHS[match.group(2).lower()], int(day)))
    return found


def _day(year: int, month: int, day: int) -> list[date]:
    try:
        return [date(year, month, day)]
    except ValueError:
        return []


def evaluate_item(item: Item, policy: str, today: date) -> Verdict:
    """One answer scored by the rules."""
    requirement = item.requirement.strip() or policy.strip()
    texts = [
        t
        for f in item.evidence
        if (t := evidence_text(f.filename, f.content_type, f.content, EVIDENCE_CHARS))
    ]
    checks: list[tuple[float, float, str]] = []  # (score, weight, reason)
    if item.kind == "text" and not (item.answer or "").strip():
        return Verdict(item.question_id, 0.0, PREFIX + "no answer was given.")
    if item.kind == "file":
        if not item.evidence:
            return Verdict(item.question_id, 0.0, PREFIX + "no evidence file was uploaded.")
        unread = len(item.evidence) - len(texts)
        note = f"{len(item.evidence)} file(s) uploaded"
        if unread:
            note += f", {unread} without readable text (judged by name only)"
        checks.append((1.0 if texts else 0.5, 1.0, note))
    corpus = " ".join([item.answer or "", *texts, *(f.filename for f in item.evidence)]).lower()
    terms = key_terms(requirement)
    if terms:
        found = [t for t in terms if stem(t) in corpus]
        missing = [t for t in terms if stem(t) not in corpus]
        reason = f"{len(found)} of {len(terms)} key terms of the requirement found"
        if missing:
            reason += f" (missing: {', '.join(missing[:8])})"
        checks.append((len(found) / len(terms), 1.0, reason))
    limit = bound(requirement)
    if limit is not None:
        checks.append(_time_check(item, limit, texts, today))
    if not checks:
        return Verdict(item.question_id, 0.5, PREFIX + "the requirement gives nothing to check.")
    total = sum(w for _, w, _ in checks)
    score = round(sum(s * w for s, w, _ in checks) / total, 3)
    return Verdict(
        item.question_id, score, clip(PREFIX + "; ".join(r for *_, r in checks) + ".", 2000)
    )


def _time_check(
    item: Item, limit: tuple[Duration, bool], texts: list[str], today: date
) -> tuple[float, float, str]:
    (hours, written), minimum = limit
    if item.kind == "file":
        newest = max((d for t in texts for d in dates_in(t) if d <= today), default=None)
        if newest is None:
            return 0.25, 2.0, f"no date found in the evidence to show it is within {written}"
        met = today - newest <= timedelta(hours=hours)
        verdict = "within" if met else "older than"
        return float(met), 2.0, f"the newest date in the evidence, {newest}, is {verdict} {written}"
    given = durations(" ".join([item.answer or "", *texts]))
    if not given:
        return 0.25, 2.0, f"the answer names no time frame against the required {written}"
    best = max(given) if minimum else min(given)
    met = best[0] >= hours if minimum else best[0] <= hours
    relation = "at least" if minimum else "within"
    outcome = "meets" if met else "does not meet"
    return float(met), 2.0, f"the answer's {best[1]} {outcome} {relation} {written}"


class OfflineEvaluator:
    """The `Evaluator` without a model: `evaluate_item` for every item."""

    @property
    def source(self) -> Source:
        return "offline"

    @property
    def name(self) -> str:
        return "offline-rules/1"

    async def evaluate(self, request: Request) -> Outcome:
        return Outcome(
            tuple(evaluate_item(i, request.policy, request.today) for i in request.items)
        )

    async def aclose(self) -> None:
        return None
