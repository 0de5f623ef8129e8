import { render, screen } from '@testing-library/react'
import { describe, expect, it } from 'vitest'
import { Section, Subsection } from './Page'

describe('Subsection', () => {
  it('titles its part of a section with a level-3 heading above the content', () => {
    render(
      <Section title="Tenants">
        <Subsection title="Create tenant">
          <button type="button">Create tenant</button>
        </Subsection>
      </Section>,
    )
    const heading = screen.getByRole('heading', { name: 'Create tenant', level: 3 })
    expect(screen.getByRole('region', { name: 'Tenants' })).toContainElement(heading)
    expect(heading.parentElement).toHaveClass('border-t')
    expect(heading.compareDocumentPosition(screen.getByRole('button', { name: 'Create tenant' }))).toBe(
      Node.DOCUMENT_POSITION_FOLLOWING,
    )
  })
})
