import { useRef, useState, type FormEvent } from 'react'
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query'
import type { ProblemError } from '../../api'
import { ConfirmDialog } from '../ConfirmDialog'
import { api } from '../../api/client'
import { useBulkActions } from '../BulkActions'
import { DataTable, useRowAction } from '../DataTable'
import { dangerButton, inputClass, primaryButton, secondaryButton, TextField } from '../form'
import { formatDateTime, Subsection } from '../Page'
import { asProblem, ProblemAlert } from '../ProblemAlert'
import { QueryResult } from '../QueryResult'
import { DOCUMENT_ACCEPT, documentFileError, formatBytes, MEDIA_TYPE_LABEL, type MemoryDocument } from '../../memory'
import { deleteDocument, downloadDocument, getDocument, listDocuments, uploadDocument } from '../../panelApi'

export const DOCUMENTS_PAGE_SIZE = 50

/** Hands a blob to the browser as a download. */
function saveBlob(blob: Blob, filename: string) {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

function UploadForm({ onUploaded }: { onUploaded: (doc: MemoryDocument) => Promise<void> }) {
  const inputRef = useRef<HTMLInputElement>(null)
  const [file, setFile] = useState<File | null>(null)
  const [title, setTitle] = useState('')
  const [citation, setCitation] = useState('')
  const [fileError, setFileError] = useState<string | null>(null)
  const [problem, setProblem] = useState<ProblemError | null>(null)
  const [pending, setPending] = useState(false)
  const [done, setDone] = useState<string | null>(null)

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    if (pending) return
    setProblem(null)
    setDone(null)
    const error = documentFileError(file)
    setFileError(error)
    if (error || !file) return
    setPending(true)
    try {
      const doc = await uploadDocument(file, { title: title.trim() || undefined, citation: citation.trim() || undefined })
      setDone(`Uploaded ${doc.title}: ${doc.chunk_count} ${doc.chunk_count === 1 ? 'chunk' : 'chunks'} the panel can read.`)
      setFile(null)
      setTitle('')
      setCitation('')
      if (inputRef.current) inputRef.current.value = ''
      await onUploaded(doc)
    } catch (err) {
      setProblem(asProblem(err))
    } finally {
      setPending(false)
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} noValidate aria-label="Upload a document" className="space-y-3">
      <div className="space-y-1.5">
        <label htmlFor="memory-upload-file" className="block text-sm font-medium text-slate-700">
          File
        </label>
        <input
          id="memory-upload-file"
          ref={inputRef}
          type="file"
          accept={DOCUMENT_ACCEPT}
          aria-invalid={fileError ? true : undefined}
          aria-describedby="memory-upload-file-hint"
          onChange={(e) => {
            setFile(e.target.files?.[0] ?? null)
            setFileError(null)
          }}
          className={inputClass}
        />
        <p id="memory-upload-file-hint" className={`text-xs ${fileError ? 'text-rose-800' : 'text-slate-500'}`}>
          {fileError ?? 'Text, Markdown or PDF, at most 10 MB.'}
        </p>
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <TextField label="Title (optional)" value={title} onChange={setTitle} hint="Defaults to the file name." />
        <TextField label="Citation (optional)" value={citation} onChange={setCitation} hint="How the panel should cite it." />
      </div>
      {problem && <ProblemAlert error={problem} />}
      <button type="submit" className={primaryButton} disabled={pending} aria-busy={pending}>
        {pending ? 'Uploading…' : 'Upload'}
      </button>
      {done && (
        <p role="status" className="text-sm text-emerald-800">
          {done}
        </p>
      )}
    </form>
  )
}

function DocumentChunks({ baseKey, doc, onClose }: { baseKey: readonly unknown[]; doc: MemoryDocument; onClose: () => void }) {
  const query = useQuery({
    queryKey: [...baseKey, 'document', doc.id],
    queryFn: ({ signal }) => getDocument(doc.id, signal),
  })
  return (
    <Subsection title={`Chunks of ${doc.title}`}>
      <div className="space-y-3">
        <button type="button" className={secondaryButton} onClick={onClose}>
          Close
        </button>
        <QueryResult query={query} loading="Loading chunks…">
          {(detail) =>
            detail.chunks.length === 0 ? (
              <p className="text-sm text-slate-600">This document has no chunks.</p>
            ) : (
              <ol className="space-y-3" aria-label={`Chunks of ${doc.title}`}>
                {detail.chunks.map((c) => (
                  <li key={c.chunk_no} data-testid="document-chunk" className="rounded-lg border border-slate-200 p-3 text-sm">
                    <p className="mb-1 text-xs font-semibold text-slate-600">
                      #{c.chunk_no}
                      {c.heading ? ` · ${c.heading}` : ''}
                      {c.page !== null ? ` · page ${c.page}` : ''}
                    </p>
                    <p className="whitespace-pre-wrap text-slate-800">{c.content}</p>
                  </li>
                ))}
              </ol>
            )
          }
        </QueryResult>
      </div>
    </Subsection>
  )
}

/** The uploaded documents; upload, view chunks, download, delete. */
export function DocumentsTab({ baseKey, canWrite }: { baseKey: readonly unknown[]; canWrite: boolean }) {
  const queryClient = useQueryClient()
  const [offset, setOffset] = useState(0)
  const [viewing, setViewing] = useState<MemoryDocument | null>(null)
  const [deleting, setDeleting] = useState<MemoryDocument | null>(null)
  const action = useRowAction()
  const docsKey = [...baseKey, 'documents']
  const query = useQuery({
    queryKey: [...docsKey, offset],
    queryFn: ({ signal }) => listDocuments({ limit: DOCUMENTS_PAGE_SIZE, offset }, signal),
    placeholderData: keepPreviousData,
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: docsKey })
  const bulk = useBulkActions<MemoryDocument>([
    canWrite && {
      label: 'Delete selected',
      danger: true,
      title: (rows) => `Delete ${rows.length} ${rows.length === 1 ? 'document' : 'documents'}?`,
      confirmLabel: 'Delete all',
      describe: (rows) => `${rows.map((d) => d.title).join(', ')} and their chunks: the panel will no longer read them.`,
      run: async (rows) => {
        await api.POST('/api/memory/documents/bulk-delete', { body: { ids: rows.map((d) => d.id) } })
        if (viewing && rows.some((d) => d.id === viewing.id)) setViewing(null)
        await refresh()
      },
    },
  ])

  return (
    <div className="space-y-4">
      {bulk.alert}
      {bulk.dialog}
      <QueryResult query={query} loading="Loading documents…">
        {(page) => (
          <DataTable
            rows={page.items}
            rowTestId="document-row"
            bulkActions={bulk.actions}
            rowLabel={(d) => d.title}
            empty="No documents yet."
            above={action.error && <ProblemAlert error={action.error} />}
            columns={[
              { header: 'Title', sortValue: (d) => d.title, cell: (d) => <span className="font-medium text-slate-900">{d.title}</span> },
              { header: 'File', className: 'break-all', sortValue: (d) => d.filename, cell: (d) => d.filename },
              { header: 'Type', sortValue: (d) => d.media_type, cell: (d) => MEDIA_TYPE_LABEL[d.media_type] ?? d.media_type },
              { header: 'Size', className: 'tabular-nums whitespace-nowrap', sortValue: (d) => d.byte_size, cell: (d) => formatBytes(d.byte_size) },
              { header: 'Pages', className: 'tabular-nums', sortValue: (d) => d.page_count, cell: (d) => d.page_count ?? '—' },
              { header: 'Chunks', className: 'tabular-nums', sortValue: (d) => d.chunk_count, cell: (d) => d.chunk_count },
              { header: 'Uploaded', className: 'whitespace-nowrap', sortValue: (d) => d.uploaded_at, cell: (d) => formatDateTime(d.uploaded_at) },
              {
                header: 'Actions',
                hideHeader: true,
                className: 'whitespace-nowrap text-right',
                cell: (d) => (
                  <div className="flex justify-end gap-2">
                    <button type="button" className={secondaryButton} aria-label={`View chunks of ${d.title}`} onClick={() => setViewing(d)}>
                      Chunks
                    </button>
                    <button
                      type="button"
                      className={secondaryButton}
                      aria-label={`Download ${d.filename}`}
                      disabled={action.busy === d.id}
                      onClick={() =>
                        void action.run(d, async () => {
                          const { blob, filename } = await downloadDocument(d)
                          saveBlob(blob, filename)
                        })
                      }
                    >
                      Download
                    </button>
                    {canWrite && (
                      <button type="button" className={dangerButton} aria-label={`Delete ${d.title}`} disabled={action.busy === d.id} onClick={() => setDeleting(d)}>
                        Delete
                      </button>
                    )}
                  </div>
                ),
              },
            ]}
            below={
              page.total > DOCUMENTS_PAGE_SIZE && (
                <div className="flex items-center justify-between text-sm text-slate-600">
                  <span>
                    {page.offset + 1}–{page.offset + page.items.length} of {page.total}
                  </span>
                  <div className="flex gap-2">
                    <button type="button" className={secondaryButton} disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - DOCUMENTS_PAGE_SIZE))}>
                      Previous
                    </button>
                    <button type="button" className={secondaryButton} disabled={offset + DOCUMENTS_PAGE_SIZE >= page.total} onClick={() => setOffset(offset + DOCUMENTS_PAGE_SIZE)}>
                      Next
                    </button>
                  </div>
                </div>
              )
            }
          />
        )}
      </QueryResult>
      {viewing && <DocumentChunks key={viewing.id} baseKey={baseKey} doc={viewing} onClose={() => setViewing(null)} />}
      {deleting && (
        <ConfirmDialog
          title="Delete document?"
          confirmLabel="Delete"
          onCancel={() => setDeleting(null)}
          onConfirm={() => {
            const d = deleting
            setDeleting(null)
            void action.run(d, async () => {
              await deleteDocument(d.id)
              if (viewing?.id === d.id) setViewing(null)
              await refresh()
            })
          }}
        >
          <p>
            Delete <strong>{deleting.title}</strong> and its {deleting.chunk_count} chunks? The panel will no longer read it.
          </p>
        </ConfirmDialog>
      )}
      {canWrite && (
        <Subsection title="Upload a document">
          <UploadForm onUploaded={async () => void (await refresh())} />
        </Subsection>
      )}
    </div>
  )
}
