import { useId, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { listMembers, matchMembers } from '../tasks'
import { inputClass } from './form'

/** Choose an owner among the tenant's active members (never free text): a search box narrows
 * the list; the chosen member stays chosen while the search hides them. */
export function OwnerPicker({
  label = 'Owner',
  value,
  onChange,
  noneLabel = 'Nobody',
}: {
  label?: string
  value: string | null
  onChange: (userId: string | null) => void
  noneLabel?: string
}) {
  const id = useId()
  const [search, setSearch] = useState('')
  const members = useQuery({ queryKey: ['members'], queryFn: ({ signal }) => listMembers(signal), staleTime: 60_000 })
  const all = members.data ?? []
  const shown = matchMembers(all, search)
  const chosen = all.find((m) => m.id === value)
  if (chosen && !shown.includes(chosen)) shown.unshift(chosen)
  return (
    <fieldset className="space-y-1.5">
      <legend className="block text-sm font-medium text-slate-700">{label}</legend>
      <label htmlFor={`${id}-search`} className="sr-only">
        Search members for {label.toLowerCase()}
      </label>
      <input
        id={`${id}-search`}
        type="search"
        placeholder="Search members…"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        className={inputClass}
      />
      <label htmlFor={`${id}-select`} className="sr-only">
        {label}
      </label>
      <select
        id={`${id}-select`}
        data-testid="owner-select"
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || null)}
        className={inputClass}
        disabled={members.isPending}
      >
        <option value="">{noneLabel}</option>
        {shown.map((m) => (
          <option key={m.id} value={m.id}>
            {m.display_name} ({m.role === 'tenant_admin' ? 'admin' : 'user'})
          </option>
        ))}
      </select>
    </fieldset>
  )
}
