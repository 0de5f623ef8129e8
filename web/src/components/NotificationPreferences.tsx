import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useState, type FormEvent } from 'react'
import { getPreferences, notificationKeys, savePreferences, type Preferences } from '../notifications'
import { primaryButton } from './form'
import { asProblem, ProblemAlert } from './ProblemAlert'
import { QueryResult } from './QueryResult'

function PreferencesForm({ initial }: { initial: Preferences }) {
  const queryClient = useQueryClient()
  const [digest, setDigest] = useState(initial.digest)
  const [email, setEmail] = useState<Record<string, boolean>>({})
  useEffect(() => {
    setDigest(initial.digest)
    setEmail(Object.fromEntries(initial.events.map((e) => [e.event, e.email])))
  }, [initial])
  const save = useMutation({
    mutationFn: savePreferences,
    onSuccess: (saved) => queryClient.setQueryData(notificationKeys.preferences, saved),
  })
  function onSubmit(event: FormEvent) {
    event.preventDefault()
    const off = initial.events.filter((e) => email[e.event] === false).map((e) => e.event)
    save.mutate({ digest, email_off: off })
  }
  return (
    <form onSubmit={onSubmit} className="space-y-4" aria-label="Notification preferences">
      <p className="text-sm text-slate-700">
        Every notification shows in Draxis. Choose which ones are also e-mailed to you.
      </p>
      <fieldset>
        <legend className="text-sm font-medium text-slate-900">E-mail me about</legend>
        <ul className="mt-2 space-y-2">
          {initial.events.map((e) => (
            <li key={e.event}>
              <label className="flex items-start gap-2 text-sm text-slate-700">
                <input
                  type="checkbox"
                  className="mt-0.5"
                  checked={email[e.event] ?? e.email}
                  onChange={(ev) => setEmail((prev) => ({ ...prev, [e.event]: ev.target.checked }))}
                />
                <span>{e.description}</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <label className="flex items-start gap-2 text-sm text-slate-700">
        <input type="checkbox" className="mt-0.5" checked={digest} onChange={(ev) => setDigest(ev.target.checked)} />
        <span>Send one e-mail a day summarizing them (a daily digest) instead of one e-mail each</span>
      </label>
      {save.error && <ProblemAlert error={asProblem(save.error)} />}
      <div className="flex items-center gap-3">
        <button type="submit" className={primaryButton} disabled={save.isPending}>
          Save preferences
        </button>
        {save.isSuccess && (
          <p role="status" className="text-sm text-slate-700">
            Saved.
          </p>
        )}
      </div>
    </form>
  )
}

/** One's notification preferences: e-mail per event (in-app is always on) and the daily digest. */
export function NotificationPreferences() {
  const query = useQuery({ queryKey: notificationKeys.preferences, queryFn: ({ signal }) => getPreferences(signal) })
  return (
    <QueryResult query={query} loading="Loading preferences…">
      {(prefs) => <PreferencesForm initial={prefs} />}
    </QueryResult>
  )
}
