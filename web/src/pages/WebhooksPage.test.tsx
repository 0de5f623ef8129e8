import { screen, waitFor, within } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { sessionFromAuth, setSession } from '../session'
import { authResponse, jsonResponse, me, tenantAdmin } from '../test/fixtures'
import { mockApi } from '../test/mockApi'
import { renderApp } from '../test/render'
import type { Delivery, Endpoint } from '../webhooks'

const endpoint: Endpoint = {
  id: 'wh-1',
  url: 'https://hooks.example.com/draxis',
  description: '',
  events: ['kri.turned_red'],
  enabled: true,
  created_at: '2026-12-05T09:00:00Z',
  secret_rotated_at: '2026-12-05T09:00:00Z',
}
const failed: Delivery = {
  id: 'd-1',
  event: 'kri.turned_red',
  notification_id: 'n-1',
  status: 'failed',
  attempts: 6,
  next_attempt_at: null,
  last_status_code: 500,
  last_error: 'HTTP 500',
  sent_at: null,
  created_at: '2026-12-05T09:00:00Z',
  log: [
    {
      attempt: 1,
      at: '2026-12-05T09:00:01Z',
      status_code: 500,
      latency_ms: 12,
      outcome: 'retry',
      error: 'HTTP 500',
      response_excerpt: 'oops',
      next_attempt_at: '2026-12-05T09:01:01Z',
    },
  ],
}

describe('WebhooksPage', () => {
  it('adds an endpoint and shows its secret once, reads the log and redelivers', async () => {
    setSession(sessionFromAuth(authResponse()))
    let endpoints: Endpoint[] = []
    let deliveries = [failed]
    const api = mockApi({
      'GET /api/me': jsonResponse(me(tenantAdmin, { permissions: ['self', 'dashboard:read', 'integrations:manage'] })),
      'GET /api/me/notifications/unread-count': jsonResponse({ unread: 0 }),
      'GET /api/me/notification-preferences': jsonResponse({
        digest: false,
        events: [{ event: 'kri.turned_red', description: 'A KRI you own turned red.', email: true }],
      }),
      'GET /api/tenant/webhooks': () => jsonResponse(endpoints),
      'POST /api/tenant/webhooks': () => {
        endpoints = [endpoint]
        return jsonResponse({ ...endpoint, secret: 'whsec_c2VjcmV0' }, 201)
      },
      'GET /api/tenant/webhooks/wh-1/deliveries': () => jsonResponse(deliveries),
      'POST /api/tenant/webhooks/wh-1/deliveries/d-1/redeliver': () => {
        deliveries = [{ ...failed, status: 'pending' }]
        return jsonResponse(deliveries[0], 202)
      },
    })
    const user = userEvent.setup()
    renderApp('/tenant/webhooks')
    expect(await screen.findByText('No endpoints yet.')).toBeInTheDocument()
    await user.type(screen.getByLabelText('URL'), 'https://hooks.example.com/draxis')
    await user.click(await screen.findByRole('checkbox', { name: 'kri.turned_red' }))
    await user.click(screen.getByRole('button', { name: 'Add endpoint' }))

    await waitFor(() => expect(api.callsTo('POST /api/tenant/webhooks')).toHaveLength(1))
    expect(api.callsTo('POST /api/tenant/webhooks')[0]?.body).toEqual({
      url: 'https://hooks.example.com/draxis',
      description: '',
      events: ['kri.turned_red'],
      enabled: true,
    })
    expect(await screen.findByTestId('secret-value')).toHaveTextContent('whsec_c2VjcmV0')
    const row = await screen.findByTestId('webhook-endpoint')
    expect(within(row).getByText('kri.turned_red')).toBeInTheDocument()

    await user.click(screen.getByRole('button', { name: 'I have stored it' }))
    expect(screen.queryByTestId('secret-reveal')).toBeNull()

    await user.click(within(row).getByRole('button', { name: 'Delivery log' }))
    const delivery = await screen.findByTestId('webhook-delivery')
    expect(delivery).toHaveAttribute('data-status', 'failed')
    expect(within(delivery).getByText('#1 500 (12 ms)')).toBeInTheDocument()
    await user.click(within(delivery).getByRole('button', { name: 'Redeliver' }))
    await waitFor(() => expect(api.callsTo('POST /api/tenant/webhooks/wh-1/deliveries/d-1/redeliver')).toHaveLength(1))
    await waitFor(() => expect(screen.getByTestId('webhook-delivery')).toHaveAttribute('data-status', 'pending'))
  })
})
