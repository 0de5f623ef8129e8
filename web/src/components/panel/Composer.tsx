import { useId, useState, type FormEvent } from 'react'
import { inputClass, primaryButton, SelectField } from '../form'
import { MAX_QUESTION_CHARS, TARGET_OPTIONS, type PanelTarget } from '../../panel'

/** The question box: text, whom to ask, Ask. Cleared once the question is accepted. */
export function Composer({
  disabled,
  disabledReason,
  onAsk,
}: {
  disabled: boolean
  disabledReason?: string
  /** Resolves true when the question was taken (the box is cleared), false to keep the text. */
  onAsk: (content: string, target: PanelTarget) => Promise<boolean>
}) {
  const id = useId()
  const [content, setContent] = useState('')
  const [target, setTarget] = useState<PanelTarget>('panel')
  const trimmed = content.trim()
  const tooLong = trimmed.length > MAX_QUESTION_CHARS

  async function submit(e?: FormEvent) {
    e?.preventDefault()
    if (disabled || trimmed === '' || tooLong) return
    const asked = content
    setContent('')
    const taken = await onAsk(trimmed, target)
    if (!taken) setContent((now) => (now === '' ? asked : now))
  }

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Ask the panel" className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
      <div className="space-y-1.5">
        <label htmlFor={id} className="block text-sm font-medium text-slate-700">
          Your question
        </label>
        <textarea
          id={id}
          rows={3}
          value={content}
          onChange={(e) => setContent(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) void submit()
          }}
          disabled={disabled}
          aria-invalid={tooLong || undefined}
          aria-describedby={`${id}-hint`}
          className={inputClass}
          placeholder="e.g. Are we ready for the DORA audit?"
        />
        <p id={`${id}-hint`} className={`text-xs ${tooLong ? 'text-rose-800' : 'text-slate-500'}`}>
          {tooLong
            ? `At most ${MAX_QUESTION_CHARS.toLocaleString('en-US')} characters (${trimmed.length.toLocaleString('en-US')} now).`
            : (disabledReason ?? 'Ctrl+Enter to ask.')}
        </p>
      </div>
      <div className="flex flex-wrap items-end gap-3">
        <SelectField label="Ask" value={target} options={TARGET_OPTIONS} onChange={setTarget} disabled={disabled} className="w-48" />
        <button type="submit" className={primaryButton} disabled={disabled || trimmed === '' || tooLong}>
          Ask
        </button>
      </div>
    </form>
  )
}
