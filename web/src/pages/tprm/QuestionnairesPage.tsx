import { useRef, useState, type FormEvent } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link, useNavigate } from 'react-router'
import { linkClass, primaryButton, secondaryButton, SelectField, TextField } from '../../components/form'
import { LoadingPanel } from '../../components/LoadingScreen'
import { formatDate, Page, Section } from '../../components/Page'
import { asProblem, ProblemAlert } from '../../components/ProblemAlert'
import { PERMISSION } from '../../identity'
import { usePermissions } from '../../me'
import { createQuestionnaire, importQuestionnaire, listLibrary, listQuestionnaires, type CreateBody } from '../../tprm/questionnaires'

type Start = 'library' | 'blank' | 'copy'

/** `/tprm/questionnaires`: the tenant's questionnaires, and new ones from the library, blank, a copy or a file. */
export function QuestionnairesPage() {
  const client = useQueryClient()
  const navigate = useNavigate()
  const canManage = usePermissions()?.has(PERMISSION.tprmManage) ?? false
  const [archived, setArchived] = useState(false)
  const list = useQuery({ queryKey: ['questionnaires', archived], queryFn: ({ signal }) => listQuestionnaires(archived, signal) })
  const library = useQuery({ queryKey: ['questionnaire-library'], queryFn: ({ signal }) => listLibrary(signal) })
  const [start, setStart] = useState<Start>('library')
  const [libraryKey, setLibraryKey] = useState('core-security')
  const [copyOf, setCopyOf] = useState('')
  const [name, setName] = useState('')
  const opened = (id: string) => {
    void client.invalidateQueries({ queryKey: ['questionnaires'] })
    void navigate(`/tprm/questionnaires/${id}`)
  }
  const create = useMutation({ mutationFn: (body: CreateBody) => createQuestionnaire(body), onSuccess: (q) => opened(q.id) })
  const fileInput = useRef<HTMLInputElement>(null)
  const [fileError, setFileError] = useState<string | null>(null)
  const upload = useMutation({ mutationFn: importQuestionnaire, onSuccess: (q) => opened(q.id) })

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const body: CreateBody = name.trim() ? { name: name.trim() } : {}
    if (start === 'library') body.from_library = libraryKey
    if (start === 'copy') body.copy_of = copyOf
    create.mutate(body)
  }
  const importFile = async (file: File) => {
    setFileError(null)
    try {
      const parsed: unknown = JSON.parse(await file.text())
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
      upload.mutate(parsed as Record<string, unknown>)
    } catch {
      setFileError(`${file.name} is not a JSON questionnaire document.`)
    }
  }

  const items = list.data?.items ?? []
  const templates = library.data?.items ?? []
  return (
    <Page title="Questionnaires" documentTitle="Questionnaires">
      {canManage && (
        <Section title="New questionnaire" description="Start from a Draxis template, a blank page, a copy of one of yours, or a document file.">
          <form onSubmit={submit} className="grid gap-4 sm:grid-cols-3">
            <SelectField<Start>
              label="Start from"
              value={start}
              onChange={setStart}
              options={[
                { value: 'library', label: 'A Draxis template' },
                { value: 'blank', label: 'A blank questionnaire' },
                { value: 'copy', label: 'A copy of a questionnaire' },
              ]}
            />
            {start === 'library' && (
              <SelectField
                label="Template"
                value={libraryKey}
                onChange={setLibraryKey}
                options={templates.map((t) => ({ value: t.key, label: `${t.name} (${t.questions} questions)` }))}
              />
            )}
            {start === 'copy' && (
              <SelectField
                label="Questionnaire to copy"
                value={copyOf}
                onChange={setCopyOf}
                options={[{ value: '', label: 'Choose…' }, ...items.map((q) => ({ value: q.id, label: q.name }))]}
              />
            )}
            <TextField label={start === 'blank' ? 'Name' : 'Name (optional)'} value={name} onChange={setName} maxLength={200} required={start === 'blank'} />
            <div className="flex flex-wrap items-center gap-3 sm:col-span-3">
              <button type="submit" className={primaryButton} disabled={create.isPending || (start === 'copy' && !copyOf)}>
                Create questionnaire
              </button>
              <button type="button" className={secondaryButton} onClick={() => fileInput.current?.click()} disabled={upload.isPending}>
                Import a document…
              </button>
              <input
                ref={fileInput}
                type="file"
                accept="application/json,.json"
                className="sr-only"
                aria-label="Questionnaire document file"
                onChange={(e) => {
                  const file = e.target.files?.[0]
                  if (file) void importFile(file)
                  e.target.value = ''
                }}
              />
            </div>
          </form>
          {create.isError && <ProblemAlert error={asProblem(create.error)} />}
          {upload.isError && <ProblemAlert error={asProblem(upload.error)} />}
          {fileError && (
            <p role="alert" className="text-sm text-rose-800">
              {fileError}
            </p>
          )}
        </Section>
      )}
      <Section title="Your questionnaires">
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={archived} onChange={(e) => setArchived(e.target.checked)} /> Show archived
        </label>
        {list.isPending ? (
          <LoadingPanel label="Loading questionnaires…" />
        ) : list.isError ? (
          <ProblemAlert error={asProblem(list.error)} />
        ) : items.length === 0 ? (
          <p className="text-sm text-slate-600">No questionnaires yet.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <thead className="text-slate-600">
              <tr>
                <th className="py-2">Name</th>
                <th>Published</th>
                <th>Questions</th>
                <th>Assessments</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {items.map((q) => (
                <tr key={q.id} className="border-t border-slate-100">
                  <td className="py-2">
                    <Link to={`/tprm/questionnaires/${q.id}`} className={linkClass}>
                      {q.name}
                    </Link>
                    {q.has_draft && <span className="ml-2 rounded bg-amber-100 px-1.5 text-xs text-amber-900">Draft</span>}
                    {q.archived && <span className="ml-2 rounded bg-slate-200 px-1.5 text-xs text-slate-800">Archived</span>}
                  </td>
                  <td>{q.latest_version ? `Version ${q.latest_version}` : 'Not yet'}</td>
                  <td>{q.questions}</td>
                  <td>{q.assessments}</td>
                  <td>{formatDate(q.updated_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </Page>
  )
}
