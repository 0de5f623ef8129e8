import { Fragment } from 'react'
import { parseMarkdown, type Inline } from '../../panel'

function Inlines({ inlines }: { inlines: readonly Inline[] }) {
  return (
    <>
      {inlines.map((i, n) =>
        i.kind === 'strong' ? (
          <strong key={n} className="font-semibold">
            {i.text}
          </strong>
        ) : i.kind === 'em' ? (
          <em key={n}>{i.text}</em>
        ) : i.kind === 'code' ? (
          <code key={n} className="rounded bg-slate-100 px-1 text-[0.85em]">
            {i.text}
          </code>
        ) : (
          <Fragment key={n}>{i.text}</Fragment>
        ),
      )}
    </>
  )
}

/** Model text as React elements: paragraphs with their line breaks, headings, lists, bold. Never HTML. */
export function Markdown({ text }: { text: string }) {
  return (
    <div className="space-y-2 text-sm leading-relaxed text-slate-800">
      {parseMarkdown(text).map((b, n) => {
        if (b.kind === 'heading')
          return (
            <p key={n} className="font-semibold text-slate-900">
              <Inlines inlines={b.inlines} />
            </p>
          )
        if (b.kind === 'list') {
          const items = b.items.map((item, i) => (
            <li key={i}>
              <Inlines inlines={item} />
            </li>
          ))
          return b.ordered ? (
            <ol key={n} className="list-decimal space-y-1 pl-5">
              {items}
            </ol>
          ) : (
            <ul key={n} className="list-disc space-y-1 pl-5">
              {items}
            </ul>
          )
        }
        return (
          <p key={n}>
            {b.lines.map((line, i) => (
              <Fragment key={i}>
                {i > 0 && <br />}
                <Inlines inlines={line} />
              </Fragment>
            ))}
          </p>
        )
      })}
    </div>
  )
}
