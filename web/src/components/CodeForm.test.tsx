import { useState } from 'react'
import { render, screen, waitFor } from '@testing-library/react'
import userEvent from '@testing-library/user-event'
import { describe, expect, it, vi } from 'vitest'
import { ProblemError } from '../api'
import { AuthenticatorCodeForm, CodeForm, useCodeSubmission } from './CodeForm'

const refused = () => Promise.reject(new ProblemError({ status: 401, title: 'Unauthorized', detail: 'That code is not valid.' }))

function Recovery({ send, onFailure }: { send: () => Promise<void>; onFailure?: () => void }) {
  const submission = useCodeSubmission()
  const [value, setValue] = useState('')
  return (
    <>
      <CodeForm
        label="Use a recovery code"
        submission={submission}
        validate={() => (value.trim() ? null : 'Enter one of your recovery codes.')}
        send={send}
        onFailure={onFailure}
        submitLabel="Use recovery code"
        pendingLabel="Checking…"
        footer={<p>Footer</p>}
      >
        <input aria-label="Recovery code" value={value} onChange={(e) => setValue(e.target.value)} />
      </CodeForm>
      <button type="button" onClick={submission.clearErrors}>
        Switch
      </button>
    </>
  )
}

function Authenticator({ send }: { send: () => Promise<void> }) {
  const submission = useCodeSubmission()
  const [code, setCode] = useState('')
  return <AuthenticatorCodeForm label="Verify authentication code" submission={submission} code={code} onCodeChange={setCode} send={send} />
}

describe('CodeForm', () => {
  it('is a named form with the field, a submit button and the footer', () => {
    render(<Recovery send={vi.fn()} />)
    const form = screen.getByRole('form', { name: 'Use a recovery code' })
    expect(form).toContainElement(screen.getByLabelText('Recovery code'))
    expect(form).toContainElement(screen.getByRole('button', { name: 'Use recovery code' }))
    expect(form).toHaveTextContent('Footer')
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('says why without sending when the code is invalid; clearErrors forgets it', async () => {
    const send = vi.fn(async () => {})
    const user = userEvent.setup()
    render(<Recovery send={send} />)
    await user.click(screen.getByRole('button', { name: 'Use recovery code' }))
    expect(screen.getByRole('alert')).toHaveTextContent('Enter one of your recovery codes.')
    expect(send).not.toHaveBeenCalled()
    await user.click(screen.getByRole('button', { name: 'Switch' }))
    expect(screen.queryByRole('alert')).not.toBeInTheDocument()
  })

  it('shows a refused code, calls onFailure and can be sent again', async () => {
    const onFailure = vi.fn()
    const user = userEvent.setup()
    render(<Recovery send={refused} onFailure={onFailure} />)
    await user.type(screen.getByLabelText('Recovery code'), 'abcd-efgh')
    await user.click(screen.getByRole('button', { name: 'Use recovery code' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not valid.')
    expect(onFailure).toHaveBeenCalledTimes(1)
    expect(screen.getByRole('button', { name: 'Use recovery code' })).toBeEnabled()
  })

  it('stays pending once sent: the page moves on', async () => {
    const send = vi.fn(async () => {})
    const user = userEvent.setup()
    render(<Recovery send={send} />)
    await user.type(screen.getByLabelText('Recovery code'), 'abcd-efgh')
    await user.click(screen.getByRole('button', { name: 'Use recovery code' }))
    const button = await screen.findByRole('button', { name: 'Checking…' })
    expect(button).toBeDisabled()
    expect(button).toHaveAttribute('aria-busy', 'true')
    await user.click(button)
    expect(send).toHaveBeenCalledTimes(1)
  })
})

describe('AuthenticatorCodeForm', () => {
  it('takes six digits only and refuses fewer without sending', async () => {
    const send = vi.fn(async () => {})
    const user = userEvent.setup()
    render(<Authenticator send={send} />)
    const field = screen.getByRole('textbox', { name: 'Authentication code' })
    await user.type(field, '12a3')
    expect(field).toHaveValue('123')
    await user.click(screen.getByRole('button', { name: 'Verify' }))
    expect(screen.getByRole('alert')).toHaveTextContent('Enter the 6-digit code from your authenticator app.')
    expect(send).not.toHaveBeenCalled()
  })

  it('clears the field when the server refuses the code', async () => {
    const user = userEvent.setup()
    render(<Authenticator send={refused} />)
    const field = screen.getByRole('textbox', { name: 'Authentication code' })
    await user.type(field, '123456')
    await user.click(screen.getByRole('button', { name: 'Verify' }))
    expect(await screen.findByRole('alert')).toHaveTextContent('That code is not valid.')
    await waitFor(() => expect(field).toHaveValue(''))
    expect(screen.getByRole('button', { name: 'Verify' })).toBeEnabled()
  })
})
