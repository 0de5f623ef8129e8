import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import type { Portfolio, PortfolioRow, UserSummary } from '../identity'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, problem } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'

const carrier: UserSummary = {
  id: 'u-c',
  email: 'cara@carrier.test',
  display_name: 'Cara',
  role: 'carrier_user',
  org_id: null,
  tenant_id: null,
  tenant_name: null,
  carrier_id: 'c-1',
}

function row(overrides: Partial<PortfolioRow>): PortfolioRow {
  return {
    tenant_id: 't-1',
    tenant_name: 'Acme Health',
    posture_score: 80.04,
    score_30d_ago: 76.84,
    trend_30d: 3.2,
    band: 'critical',
    risks_critical: 2,
    risks_high: 3,
    kri_count: 10,
    stale_share: 0.1,
    posture_computed_at: '2025-03-01T09:00:00Z',
    projected_at: '2025-03-01T09:05:00Z',
    ...overrides,
  }
}

const acme = row({})
const beta = row({
  tenant_id: 't-2',
  tenant_name: 'Beta Bank',
  posture_score: 40,
  score_30d_ago: 41,
  trend_30d: -1,
  band: 'medium',
  risks_critical: 0,
  risks_high: 1,
})
const newco = row({
  tenant_id: 't-3',
  tenant_name: 'Newco',
  posture_score: null,
  score_30d_ago: null,
  trend_30d: null,
  band: 'unassessed',
  // The projection writes zeros for a tenant not rolled up yet; only the score and times are null.
  risks_critical: 0,
  risks_high: 0,
  kri_count: 0,
  stale_share: 0,
  posture_computed_at: null,
})

const portfolio: Portfolio = {
  book: { tenants: 3, bands: { critical: 1, high: 0, medium: 1, low: 0, unassessed: 1 }, worst_movers: [acme] },
  tenants: [acme, beta, newco],
}

function signInCarrier(extra: Parameters<typeof mockApi>[0] = {}) {
  setSession(sessionFromAuth(authResponse({ user: carrier })))
  return mockApi({
    'GET /api/me': jsonResponse(me(carrier)),
    'GET /api/carrier/portfolio': jsonResponse(portfolio),
    ...extra,
  })
}

describe('CarrierPage', () => {
  it('sends a carrier user home to /carrier and shows the portfolio', async () => {
    signInCarrier()
    renderApp('/')
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/carrier'))
    expect(await screen.findByRole('heading', { name: 'Portfolio', level: 1 })).toBeInTheDocument()
    expect(screen.getByRole('link', { name: 'Portfolio' })).toHaveAttribute('href', '/carrier')

    // Band distribution.
    expect(await screen.findByTestId('band-critical')).toHaveTextContent('1')
    expect(screen.getByTestId('band-high')).toHaveTextContent('0')
    expect(screen.getByTestId('band-medium')).toHaveTextContent('1')
    expect(screen.getByTestId('band-low')).toHaveTextContent('0')
    expect(screen.getByTestId('band-unassessed')).toHaveTextContent('1')
    expect(screen.getByTestId('book-size')).toHaveTextContent('3 insureds')

    // Worst movers.
    const movers = screen.getAllByTestId('mover-row')
    expect(movers).toHaveLength(1)
    expect(movers[0]).toHaveTextContent('Acme Health')
    expect(movers[0]).toHaveTextContent('+3.2 ▲')

    // Every insured, with band and trend.
    const rows = screen.getAllByTestId('portfolio-row')
    expect(rows.map((r) => r.getAttribute('data-band'))).toEqual(['critical', 'medium', 'unassessed'])
    const [a, b, n] = rows as [HTMLElement, HTMLElement, HTMLElement]
    expect(within(a).getByTestId('trend')).toHaveTextContent('+3.2 ▲')
    expect(within(a).getByTestId('trend')).toHaveAttribute('data-direction', 'worse')
    expect(within(a).getByTestId('trend')).toHaveClass('text-rose-700')
    expect(a).toHaveTextContent('80.0')
    expect(a).toHaveTextContent('10 %')
    expect(within(b).getByTestId('trend')).toHaveTextContent('−1.0 ▼')
    expect(within(b).getByTestId('trend')).toHaveClass('text-emerald-700')
    expect(within(n).getByTestId('trend')).toHaveTextContent('—')
    expect(within(n).getByTestId('severity-badge')).toHaveTextContent('Unassessed')
    expect(within(a).getByRole('link', { name: 'Acme Health' })).toHaveAttribute('href', '/carrier/tenants/t-1')
  })

  it('shows empty states for an empty book', async () => {
    signInCarrier({
      'GET /api/carrier/portfolio': jsonResponse({
        book: { tenants: 0, bands: { critical: 0, high: 0, medium: 0, low: 0, unassessed: 0 }, worst_movers: [] },
        tenants: [],
      }),
    })
    renderApp('/carrier')
    expect(await screen.findByText('No insureds have granted you access yet.')).toBeInTheDocument()
    expect(screen.getByText('No insured got worse over the last 30 days.')).toBeInTheDocument()
    expect(screen.getByTestId('band-critical')).toHaveTextContent('0')
    expect(screen.queryByTestId('portfolio-row')).not.toBeInTheDocument()
    expect(screen.queryByTestId('mover-row')).not.toBeInTheDocument()
  })

  it('opens an insured from the table', async () => {
    const api = signInCarrier({ 'GET /api/carrier/tenants/t-2': jsonResponse(beta) })
    const user = userEvent.setup()
    renderApp('/carrier')
    const rows = await screen.findAllByTestId('portfolio-row')
    await user.click(within(rows[1] as HTMLElement).getByRole('link', { name: 'Beta Bank' }))
    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/carrier/tenants/t-2'))
    await waitFor(() => expect(screen.getByTestId('carrier-tenant-name')).toHaveTextContent('Beta Bank'))
    expect(screen.getByTestId('detail-score')).toHaveTextContent('40.0')
    expect(screen.getByTestId('detail-trend')).toHaveTextContent('−1.0 ▼')
    expect(screen.getByTestId('detail-risks')).toHaveTextContent('0 / 1')
    expect(api.callsTo('GET /api/carrier/tenants/t-2')).toHaveLength(1)
  })

  it('says an insured is no longer in the book on a 404', async () => {
    signInCarrier({ 'GET /api/carrier/tenants/t-9': problem(404, 'Not found') })
    renderApp('/carrier/tenants/t-9')
    expect(await screen.findByTestId('not-in-book')).toHaveTextContent('No longer in your book')
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
    expect(screen.getByRole('link', { name: '← Portfolio' })).toHaveAttribute('href', '/carrier')
  })

  it('shows a not-rolled-up insured with dashes', async () => {
    signInCarrier({ 'GET /api/carrier/tenants/t-3': jsonResponse(newco) })
    renderApp('/carrier/tenants/t-3')
    await waitFor(() => expect(screen.getByTestId('carrier-tenant-name')).toHaveTextContent('Newco'))
    expect(screen.getByTestId('detail-score')).toHaveTextContent('Not assessed yet')
    expect(screen.getByTestId('detail-trend')).toHaveTextContent('—')
    expect(screen.getByText(/not rolled up yet/)).toBeInTheDocument()
  })
})
