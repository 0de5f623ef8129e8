import { useEffect } from 'react'

export const PRODUCT = 'Draxis'

/** "Risk model · Draxis": the page first, so tabs and history say where you are. */
export function documentTitle(page: string | null | undefined): string {
  const trimmed = page?.trim()
  return trimmed ? `${trimmed} · ${PRODUCT}` : PRODUCT
}

/** Sets the browser tab's title while the calling page is shown. */
export function useDocumentTitle(page: string | null | undefined): void {
  const title = documentTitle(page)
  useEffect(() => {
    document.title = title
  }, [title])
}
