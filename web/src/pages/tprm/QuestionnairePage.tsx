import { useEffect, useState } from 'react'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { ConfirmDialog } from '../../components/ConfirmDialog'
import { dangerButton, inputClass, linkClass, primaryButton, secondaryButton } from '../../components/form'
import { LoadingPanel } from '../../components/LoadingScreen'
import { formatDateTime, Page, Section } from '../../components/Page'
import { asProblem, ProblemAlert } from '../../components/ProblemAlert'
import { PERMISSION } from '../../identity'
import { usePermissions } from '../../me'
import {
  addQuestion,
  addStep,
  moveQuestion,
  moveStep,
  problemsAt,
  problemsByPath,
  questionPath,
  removeQuestion,
  removeStep,
  updateQuestion,
  updateStep,
  visibleIds,
  type Doc,
  type ProblemsByPath,
  type SampleValue,
} from '../../tprm/editor'
import { discardDraft, exportVersion, getQuestionnaire, getVersion, patchQuestionnaire, publishDraft, saveDraft } from '../../tprm/questionnaires'
import { QuestionEditor } from './QuestionEditor'

/** `/tprm/questionnaires/:id`: versions, export, the draft's step editor with a vendor preview, publish. */
export function QuestionnairePage({ questionnaireId }: { questionnaireId: string }) {
  const client = useQueryClient()
  const canManage = usePermissions()?.has(PERMISSION.tprmManage) ?? false
  const head = useQuery({ queryKey: ['questionnaire', questionnaireId], queryFn: ({ signal }) => getQuestionnaire(questionnaireId, signal) })
  const newest = head.data?.versions[0]
  const [shown, setShown] = useState<number | null>(null)
  const number = shown ?? newest?.version ?? null
  const version = useQuery({
    queryKey: ['questionnaire', questionnaireId, 'version', number],
    queryFn: ({ signal }) => getVersion(questionnaireId, number ?? 1, signal),
    enabled: number !== null,
  })
  const [draft, setDraft] = useState<Doc | null>(null)
  const [problems, setProblems] = useState<ProblemsByPath>(new Map())
  const [confirming, setConfirming] = useState(false)
  const [preview, setPreview] = useState(false)
  useEffect(() => {
    if (version.data) setDraft(version.data.document)
  }, [version.data])
  const refresh = () => void client.invalidateQueries({ queryKey: ['questionnaire', questionnaireId] })
  const save = useMutation({
    mutationFn: (doc: Doc) => saveDraft(questionnaireId, doc),
    onSuccess: (v) => {
      setProblems(new Map())
      setShown(v.version)
      refresh()
    },
    onError: (e) => setProblems(problemsByPath(asProblem(e).body)),
  })
  const publish = useMutation({
    mutationFn: () => publishDraft(questionnaireId),
    onSuccess: (v) => {
      setConfirming(false)
      setShown(v.version)
      refresh()
    },
  })
  const discard = useMutation({
    mutationFn: () => discardDraft(questionnaireId),
    onSuccess: () => {
      setShown(null)
      refresh()
    },
  })
  const archive = useMutation({ mutationFn: (archived: boolean) => patchQuestionnaire(questionnaireId, { archived }), onSuccess: refresh })

  if (head.isPending) return <LoadingPanel label="Loading the questionnaire…" />
  if (head.isError) {
    return (
      <Page title="Questionnaire">
        <ProblemAlert error={asProblem(head.error)} />
      </Page>
    )
  }
  const q = head.data
  const current = version.data
  const isDraft = current?.status === 'draft'
  const editable = canManage && isDraft && !q.archived && draft !== null
  const startDraft = () => current && save.mutate(current.document)

  return (
    <Page
      title={q.name}
      documentTitle={`${q.name} · Questionnaires`}
      titleTestId="questionnaire-title"
      eyebrow={
        <Link to="/tprm/questionnaires" className={linkClass}>
          ← Questionnaires
        </Link>
      }
    >
      <Section title="Versions" description={q.archived ? 'Archived: restore it to edit or send it.' : 'Published versions never change; edits go to the draft.'}>
        <ul className="space-y-1 text-sm" data-testid="versions">
          {q.versions.map((v) => (
            <li key={v.version} className="flex flex-wrap items-center gap-3">
              <button type="button" className={linkClass} onClick={() => setShown(v.version)} aria-current={v.version === number ? 'true' : undefined}>
                Version {v.version} · {v.status === 'draft' ? 'Draft' : 'Published'}
              </button>
              <span className="text-slate-600">
                {v.questions} questions · {v.status === 'draft' ? `started ${formatDateTime(v.created_at)}` : `published ${formatDateTime(v.published_at)}`}
              </span>
              <button type="button" className={secondaryButton} onClick={() => void exportVersion(questionnaireId, v.version, q.slug, v.status === 'draft')}>
                Export version {v.version}
              </button>
            </li>
          ))}
        </ul>
        {canManage && (
          <div className="flex flex-wrap gap-2">
            {!q.has_draft && !q.archived && (
              <button type="button" className={primaryButton} onClick={startDraft} disabled={!current || save.isPending}>
                Edit as a new draft
              </button>
            )}
            <button type="button" className={secondaryButton} onClick={() => archive.mutate(!q.archived)}>
              {q.archived ? 'Restore' : 'Archive'}
            </button>
          </div>
        )}
      </Section>
      {current && draft && (
        <Section title={`${isDraft ? 'Draft' : 'Version'} ${current.version}`} description={isDraft ? 'Save the draft to check it; publish it to send it to vendors.' : 'Read-only.'}>
          <div className="flex flex-wrap gap-2">
            <button type="button" className={secondaryButton} onClick={() => setPreview(!preview)} aria-pressed={preview}>
              {preview ? 'Back to the editor' : 'Preview as the vendor'}
            </button>
            {editable && (
              <>
                <button type="button" className={primaryButton} onClick={() => save.mutate(draft)} disabled={save.isPending}>
                  Save draft
                </button>
                <button type="button" className={primaryButton} onClick={() => setConfirming(true)} disabled={save.isPending}>
                  Publish
                </button>
                {current.version > 1 && (
                  <button type="button" className={dangerButton} onClick={() => discard.mutate()}>
                    Discard draft
                  </button>
                )}
              </>
            )}
          </div>
          {save.isError && <ProblemAlert error={asProblem(save.error)} />}
          {publish.isError && <ProblemAlert error={asProblem(publish.error)} />}
          {save.isSuccess && !save.isPending && <p className="text-sm text-emerald-800" role="status">Draft saved.</p>}
          {preview ? <Preview doc={draft} /> : <Editor doc={draft} editable={editable} problems={problems} onChange={setDraft} />}
        </Section>
      )}
      {confirming && (
        <ConfirmDialog title="Publish this draft?" confirmLabel="Publish" pending={publish.isPending} onConfirm={() => publish.mutate()} onCancel={() => setConfirming(false)}>
          Version {current?.version} becomes the one sent to vendors from now on. Published versions cannot be changed; save your edits first.
        </ConfirmDialog>
      )}
    </Page>
  )
}

function Editor({ doc, editable, problems, onChange }: { doc: Doc; editable: boolean; problems: ProblemsByPath; onChange: (d: Doc) => void }) {
  return (
    <fieldset disabled={!editable} className="space-y-6">
      <legend className="sr-only">Questionnaire document</legend>
      <label className="block space-y-1 text-sm font-medium text-slate-700">
        Title shown to vendors
        <input className={inputClass} value={doc.name} onChange={(e) => onChange({ ...doc, name: e.target.value })} />
      </label>
      {problemsAt(problems, '').length > 0 && <ProblemList messages={problemsAt(problems, '')} />}
      {doc.steps.map((step, s) => (
        <div key={s} className="space-y-3 rounded-xl border border-slate-300 p-4" data-testid={`step-${step.id}`}>
          <div className="grid gap-3 sm:grid-cols-3">
            <label className="block space-y-1 text-sm font-medium text-slate-700">
              Step {s + 1} title
              <input className={inputClass} value={step.title} onChange={(e) => onChange(updateStep(doc, s, { title: e.target.value }))} />
            </label>
            <label className="block space-y-1 text-sm font-medium text-slate-700 sm:col-span-2">
              Description
              <input className={inputClass} value={step.description} onChange={(e) => onChange(updateStep(doc, s, { description: e.target.value }))} />
            </label>
          </div>
          <ProblemList messages={[...problemsAt(problems, `steps[${s}].id`), ...problemsAt(problems, `steps[${s}].title`)]} />
          {step.questions.map((question, i) => (
            <QuestionEditor
              key={`${s}-${i}`}
              doc={doc}
              step={s}
              index={i}
              question={question}
              problems={problems}
              path={questionPath(s, i)}
              onChange={(next) => onChange(updateQuestion(doc, s, i, next))}
              onRemove={() => onChange(removeQuestion(doc, s, i))}
              onMove={(by) => onChange(moveQuestion(doc, s, i, by))}
            />
          ))}
          <div className="flex flex-wrap gap-2">
            <button type="button" className={secondaryButton} onClick={() => onChange(addQuestion(doc, s))}>
              Add question to step {s + 1}
            </button>
            <button type="button" className={secondaryButton} onClick={() => onChange(moveStep(doc, s, -1))}>
              Move step up
            </button>
            <button type="button" className={secondaryButton} onClick={() => onChange(moveStep(doc, s, 1))}>
              Move step down
            </button>
            <button type="button" className={dangerButton} onClick={() => onChange(removeStep(doc, s))}>
              Remove step
            </button>
          </div>
        </div>
      ))}
      <button type="button" className={secondaryButton} onClick={() => onChange(addStep(doc))}>
        Add step
      </button>
    </fieldset>
  )
}

function ProblemList({ messages }: { messages: string[] }) {
  if (messages.length === 0) return null
  return (
    <p role="alert" className="text-sm text-rose-800">
      {messages.join(' ')}
    </p>
  )
}

/** The steps as a vendor sees them; sample answers open and close the conditional questions. */
function Preview({ doc }: { doc: Doc }) {
  const [answers, setAnswers] = useState<Record<string, SampleValue>>({})
  const shown = visibleIds(doc, answers)
  const set = (id: string, value: SampleValue | undefined) =>
    setAnswers((a) => {
      const next = { ...a }
      if (value === undefined) delete next[id]
      else next[id] = value
      return next
    })
  return (
    <div className="space-y-4" data-testid="preview">
      <h3 className="text-lg font-semibold text-slate-900">{doc.name}</h3>
      {doc.steps.map((step, s) => (
        <div key={step.id} className="space-y-3 rounded-xl border border-slate-200 p-4">
          <h4 className="font-semibold text-slate-900">
            Step {s + 1} of {doc.steps.length}: {step.title}
          </h4>
          {step.description && <p className="text-sm text-slate-600">{step.description}</p>}
          {step.questions
            .filter((q) => shown.has(q.id))
            .map((q) => (
              <div key={q.id} className="space-y-1 text-sm">
                <p className="font-medium text-slate-800">
                  {q.text}
                  {q.required && <span className="text-rose-800"> (required)</span>}
                </p>
                {q.help && <p className="text-slate-600">{q.help}</p>}
                {q.type === 'yes_no' && (
                  <div className="flex gap-4">
                    {[true, false].map((v) => (
                      <label key={String(v)} className="flex items-center gap-1">
                        <input type="radio" name={`preview-${q.id}`} checked={answers[q.id] === v} onChange={() => set(q.id, v)} /> {v ? 'Yes' : 'No'}
                      </label>
                    ))}
                  </div>
                )}
                {q.type === 'single_choice' && (
                  <select aria-label={q.text} className={inputClass} value={String(answers[q.id] ?? '')} onChange={(e) => set(q.id, e.target.value || undefined)}>
                    <option value="">Choose…</option>
                    {q.options.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                )}
                {q.type === 'multi_choice' &&
                  q.options.map((o) => {
                    const chosen = Array.isArray(answers[q.id]) ? (answers[q.id] as string[]) : []
                    return (
                      <label key={o.value} className="mr-4 inline-flex items-center gap-1">
                        <input
                          type="checkbox"
                          checked={chosen.includes(o.value)}
                          onChange={(e) => set(q.id, e.target.checked ? [...chosen, o.value] : chosen.filter((c) => c !== o.value))}
                        />
                        {o.label}
                      </label>
                    )
                  })}
                {q.type === 'number' && (
                  <input aria-label={q.text} type="number" className={`${inputClass} max-w-40`} onChange={(e) => set(q.id, e.target.value === '' ? undefined : Number(e.target.value))} />
                )}
                {q.type === 'date' && <input aria-label={q.text} type="date" className={`${inputClass} max-w-48`} onChange={(e) => set(q.id, e.target.value || undefined)} />}
                {q.type === 'text' && <textarea aria-label={q.text} rows={2} className={inputClass} />}
                {(q.type === 'file' || q.evidence !== 'none') && (
                  <p className="text-xs text-slate-600">{q.type === 'file' || q.evidence === 'required' ? 'Evidence file required.' : 'Evidence file optional.'}</p>
                )}
              </div>
            ))}
        </div>
      ))}
    </div>
  )
}
