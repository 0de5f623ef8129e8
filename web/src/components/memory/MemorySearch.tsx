import { useState, type FormEvent } from 'react'
import { useQuery } from '@tanstack/react-query'
import { primaryButton, TextField } from '../form'
import { QueryResult } from '../QueryResult'
import { searchMemory } from '../../panelApi'

/** "What would the panel read?": the document chunks the panel would be given for a question. */
export function MemorySearch({ baseKey }: { baseKey: readonly unknown[] }) {
  const [text, setText] = useState('')
  const [q, setQ] = useState('')
  const query = useQuery({
    queryKey: [...baseKey, 'search', q],
    queryFn: ({ signal }) => searchMemory(q, 5, signal),
    enabled: q !== '',
  })
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    setQ(text.trim())
  }
  return (
    <div className="space-y-3">
      <form role="search" aria-label="Search memory" onSubmit={submit} className="flex flex-wrap items-end gap-3">
        <TextField label="What would the panel read?" type="search" value={text} onChange={setText} placeholder="e.g. incident reporting deadline" className="w-full max-w-xl" />
        <button type="submit" className={primaryButton} disabled={text.trim() === ''}>
          Search
        </button>
      </form>
      {q !== '' && (
        <QueryResult query={query} loading="Searching…">
          {(hits) =>
            hits.length === 0 ? (
              <p className="text-sm text-slate-600">Nothing in the documents matches; the panel would read no excerpt for this.</p>
            ) : (
              <ol className="space-y-3" aria-label="What the panel would read">
                {hits.map((h) => (
                  <li key={`${h.document_id}-${h.chunk_no}`} data-testid="search-hit" className="rounded-lg border border-slate-200 p-3 text-sm">
                    <p className="mb-1 text-xs font-semibold text-slate-600">
                      {h.title}
                      {h.heading ? ` · ${h.heading}` : ''}
                      {h.page !== null ? ` · page ${h.page}` : ''} · chunk #{h.chunk_no}
                    </p>
                    <p className="whitespace-pre-wrap text-slate-800">{h.content}</p>
                  </li>
                ))}
              </ol>
            )
          }
        </QueryResult>
      )}
    </div>
  )
}
