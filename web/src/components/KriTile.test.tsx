import { render, screen, within } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { KriStatus } from '../api'
import { kri } from '../test/fixtures'
import { KriTile } from './KriTile'

const NOW = Date.parse('2025-01-01T12:00:00Z')

describe('KriTile', () => {
  it('renders name, value with unit, status text and data-status', () => {
    render(<KriTile kri={kri({ value: 97.3, unit: '%', status: 'green' })} now={NOW} />)
    const tile = screen.getByTestId('kri-tile')
    expect(tile.tagName).toBe('ARTICLE')
    expect(tile).toHaveAttribute('data-status', 'green')
    expect(within(tile).getByRole('heading', { name: 'MFA adoption' })).toBeInTheDocument()
    expect(tile).toHaveTextContent('97.3 %')
    expect(within(tile).getByText('Green')).toBeInTheDocument()
    expect(tile).toHaveTextContent('Lower is worse')
    expect(tile).toHaveTextContent('95 %')
    expect(tile).toHaveTextContent('90 %')
    expect(tile).toHaveTextContent('3 h ago')
  })

  it('renders an em dash, "No data" and "never" for a KRI without a value', () => {
    render(<KriTile kri={kri({ value: null, status: 'no_data', observed_at: null })} now={NOW} />)
    const tile = screen.getByTestId('kri-tile')
    expect(tile).toHaveAttribute('data-status', 'no_data')
    expect(tile).toHaveTextContent('—')
    expect(tile).not.toHaveTextContent('97.3')
    expect(within(tile).getByText('No data')).toBeInTheDocument()
    expect(tile).toHaveTextContent('never')
    expect(tile.outerHTML).not.toMatch(/emerald/)
  })

  it.each<[KriStatus, string, string]>([
    ['red', 'Red', 'rose'],
    ['amber', 'Amber', 'amber'],
    ['stale', 'Stale', 'slate'],
  ])('status %s shows text %s and %s colours', (status, label, colour) => {
    render(<KriTile kri={kri({ status })} now={NOW} />)
    const tile = screen.getByTestId('kri-tile')
    expect(tile).toHaveAttribute('data-status', status)
    expect(within(tile).getByText(label)).toBeInTheDocument()
    expect(tile.className).toContain(`-${colour}-`)
  })

  it('never styles a stale tile green, even when its value is within thresholds', () => {
    render(<KriTile kri={kri({ status: 'stale', value: 99.9 })} now={NOW} />)
    const tile = screen.getByTestId('kri-tile')
    expect(tile.outerHTML).not.toMatch(/emerald/)
    expect(tile.className).toContain('border-dashed')
    expect(within(tile).queryByText('Green')).not.toBeInTheDocument()
    expect(within(tile).getByText('Stale')).toBeInTheDocument()
  })

  it('explains higher-is-worse direction', () => {
    render(<KriTile kri={kri({ direction: 'higher_is_worse', unit: 'days', warn: 30, critical: 60, value: 12 })} now={NOW} />)
    const tile = screen.getByTestId('kri-tile')
    expect(tile).toHaveTextContent('Higher is worse')
    expect(tile).toHaveTextContent('12 days')
  })
})
