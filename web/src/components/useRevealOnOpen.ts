import { useEffect, useRef } from 'react'

/**
 * A form that opens somewhere else on the page (e.g. below a catalog) scrolls into view and
 * puts the focus in its first field, each time `key` changes to a new non-null value.
 */
export function useRevealOnOpen<T extends HTMLElement>(key: string | null) {
  const ref = useRef<T>(null)
  useEffect(() => {
    const el = ref.current
    if (key === null || !el) return
    const smooth = !window.matchMedia?.('(prefers-reduced-motion: reduce)').matches
    el.scrollIntoView?.({ behavior: smooth ? 'smooth' : 'auto', block: 'start' })
    const field = el.querySelector<HTMLElement>('input:not([type=hidden]), select, textarea, button')
    field?.focus({ preventScroll: true })
  }, [key])
  return ref
}
