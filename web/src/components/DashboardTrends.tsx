import { useQuery } from '@tanstack/react-query'
import { getHeatMap, getPostureHistory } from '../scores'
import { HeatMap } from './HeatMap'
import { PostureHistoryChart } from './PostureHistoryChart'

/** The dashboard's posture trend and risk heat map (each risk links to its explanation). */
export function DashboardTrends({ tenantKey }: { tenantKey: string }) {
  const history = useQuery({ queryKey: ['posture-history', tenantKey], queryFn: ({ signal }) => getPostureHistory(signal) })
  const heat = useQuery({ queryKey: ['heatmap', tenantKey], queryFn: ({ signal }) => getHeatMap(signal) })
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      {history.data && <PostureHistoryChart points={history.data.points} title="Posture score, last 90 days" />}
      {heat.data && <HeatMap data={heat.data} riskHref={(r) => `/risks/${encodeURIComponent(r.id)}`} />}
    </div>
  )
}
