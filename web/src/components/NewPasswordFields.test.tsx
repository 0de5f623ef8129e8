import { useState } from 'react'
import { render, screen } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it } from 'vitest'
import { EMPTY_NEW_PASSWORD, NewPasswordFields, newPasswordErrors, type NewPassword } from './NewPasswordFields'

function Harness({ onValue }: { onValue: (value: NewPassword) => void }) {
  const [value, setValue] = useState(EMPTY_NEW_PASSWORD)
  onValue(value)
  return <NewPasswordFields value={value} onChange={setValue} />
}

describe('NewPasswordFields', () => {
  it('renders "Password" with its hint and "Confirm password" as new-password inputs', () => {
    render(<NewPasswordFields value={EMPTY_NEW_PASSWORD} onChange={() => {}} />)
    const password = screen.getByLabelText('Password')
    expect(password).toHaveAttribute('type', 'password')
    expect(password).toHaveAttribute('autocomplete', 'new-password')
    expect(password).toHaveAttribute('minlength', '12')
    expect(password).toBeRequired()
    expect(password).toHaveAccessibleDescription('At least 12 characters; avoid common passwords.')
    const confirmation = screen.getByLabelText('Confirm password')
    expect(confirmation).toHaveAttribute('type', 'password')
    expect(confirmation).toHaveAttribute('autocomplete', 'new-password')
    expect(confirmation).toBeRequired()
  })

  it('updates the password and the confirmation independently', async () => {
    let latest = EMPTY_NEW_PASSWORD
    render(<Harness onValue={(v) => (latest = v)} />)
    const user = userEvent.setup()
    await user.type(screen.getByLabelText('Password'), 'a long enough password')
    await user.type(screen.getByLabelText('Confirm password'), 'another')
    expect(latest).toEqual({ password: 'a long enough password', confirmation: 'another' })
  })

  it('checks length and confirmation', () => {
    expect(newPasswordErrors({ password: 'short', confirmation: 'short' })).toEqual([
      'The password must be at least 12 characters long.',
    ])
    expect(newPasswordErrors({ password: 'a long enough password', confirmation: 'a different password!' })).toEqual([
      'The passwords do not match.',
    ])
    expect(newPasswordErrors({ password: 'a long enough password', confirmation: 'a long enough password' })).toEqual([])
  })
})
