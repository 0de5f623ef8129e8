/** "Accepted until <day>": shown beside the severity of a formally accepted risk, whose score and
 * severity stay the computed ones (docs/risk-acceptance.md). Nothing when not accepted. */
export function AcceptedBadge({ until }: { until: string | null | undefined }) {
  if (!until) return null
  return (
    <span
      data-testid="accepted-badge"
      title="Formally accepted: the score is still the computed one"
      className="inline-flex shrink-0 items-center gap-1 rounded-full border border-violet-300 bg-violet-50 px-2 py-0.5 text-xs font-semibold text-violet-900"
    >
      <span aria-hidden="true">✓</span>
      <span>Accepted until {until}</span>
    </span>
  )
}
