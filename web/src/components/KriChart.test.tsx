import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import type { ObservationPoint } from '../riskModel'
import { KriChart, valueScale } from './KriChart'

function pt(t: string, value: number): ObservationPoint {
  return { t, value, min: value, max: value, last: value, n: 1 }
}

const points = [pt('2025-01-01T00:00:00Z', 50), pt('2025-01-02T00:00:00Z', 80), pt('2025-01-03T00:00:00Z', 60)]

function yOf(testId: string): number {
  const line = screen.getByTestId(testId)
  expect(line.getAttribute('y1')).toBe(line.getAttribute('y2'))
  expect(line).toHaveAttribute('stroke-dasharray')
  return Number(line.getAttribute('y1'))
}

describe('KriChart', () => {
  it('draws critical above warn when higher is worse, at the values’ relative positions', () => {
    render(<KriChart name="Open vulns" points={points} warn={70} critical={90} direction="higher_is_worse" unit="count" />)
    const warnY = yOf('threshold-warn')
    const criticalY = yOf('threshold-critical')
    // SVG y grows downwards: a higher value is drawn with a smaller y.
    expect(criticalY).toBeLessThan(warnY)
    const scale = valueScale(points, 70, 90)
    expect(warnY).toBeCloseTo(scale.y(70))
    expect(criticalY).toBeCloseTo(scale.y(90))
    // Both inside the plotted range, the highest point (80) between them.
    expect(scale.y(80)).toBeGreaterThan(criticalY)
    expect(scale.y(80)).toBeLessThan(warnY)
    expect(screen.getByTestId('threshold-warn-label')).toHaveTextContent('Warn 70')
    expect(screen.getByTestId('threshold-critical-label')).toHaveTextContent('Critical 90')
    expect(screen.getByTestId('kri-series')).toBeInTheDocument()
  })

  it('draws critical below warn when lower is worse', () => {
    render(<KriChart name="MFA adoption" points={[pt('2025-01-01T00:00:00Z', 97)]} warn={95} critical={90} direction="lower_is_worse" unit="%" />)
    const warnY = yOf('threshold-warn')
    const criticalY = yOf('threshold-critical')
    expect(criticalY).toBeGreaterThan(warnY)
    expect(screen.getByTestId('threshold-warn-label')).toHaveTextContent('Warn 95 %')
    expect(screen.getByTestId('threshold-critical-label')).toHaveTextContent('Critical 90 %')
    expect(screen.getByTestId('kri-chart')).toHaveAttribute('data-direction', 'lower_is_worse')
  })

  it('still draws the thresholds without observations', () => {
    render(<KriChart name="X" points={[]} warn={1} critical={2} direction="higher_is_worse" unit="" />)
    expect(screen.getByTestId('threshold-warn')).toBeInTheDocument()
    expect(screen.getByTestId('kri-chart-empty')).toHaveTextContent('No observations')
  })
})
