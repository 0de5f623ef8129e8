import { useEffect, useId, useRef, useState } from 'react'
import { Link } from 'react-router'
import { ROLE_LABEL } from '../identity'
import type { Session } from '../session'

const itemClass =
  'block w-full rounded px-3 py-2 text-left text-sm text-slate-800 hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600'

/** Who you are, and what you can do about it: profile, two-factor authentication, sign out. */
export function AccountMenu({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const [open, setOpen] = useState(false)
  const menuId = useId()
  const root = useRef<HTMLDivElement>(null)

  // Close on Escape and on a click elsewhere.
  useEffect(() => {
    if (!open) return
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false)
    const onClick = (e: MouseEvent) => {
      if (root.current && !root.current.contains(e.target as Node)) setOpen(false)
    }
    document.addEventListener('keydown', onKey)
    document.addEventListener('mousedown', onClick)
    return () => {
      document.removeEventListener('keydown', onKey)
      document.removeEventListener('mousedown', onClick)
    }
  }, [open])

  const close = () => setOpen(false)
  return (
    <div ref={root} className="relative">
      <button
        type="button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((v) => !v)}
        className="flex items-center gap-2 rounded-md px-2 py-1 text-right text-sm leading-tight hover:bg-slate-100 focus-visible:outline-2 focus-visible:outline-sky-600"
      >
        <span>
          <span className="sr-only">Account menu: </span>
          <span className="block font-medium text-slate-900" data-testid="user-email" title={session.user.display_name}>
            {session.user.email}
          </span>
          <span className="block text-slate-600" data-testid="user-role">
            {ROLE_LABEL[session.user.role] ?? session.user.role}
          </span>
        </span>
        <span aria-hidden="true" className="text-slate-600">
          ▾
        </span>
      </button>
      {open && (
        <div
          id={menuId}
          className="absolute right-0 z-20 mt-2 w-60 space-y-0.5 rounded-lg border border-slate-200 bg-white p-1.5 shadow-lg"
        >
          <p className="px-3 py-2 text-sm text-slate-700">
            Signed in as <span className="font-medium text-slate-900">{session.user.display_name}</span>
          </p>
          <Link to="/account" onClick={close} className={itemClass}>
            Profile
          </Link>
          {!session.mfa.enrolled && (
            <Link to="/mfa/enroll" onClick={close} className={itemClass}>
              Set up two-factor authentication
            </Link>
          )}
          <button
            type="button"
            onClick={() => {
              close()
              onSignOut()
            }}
            className={itemClass}
          >
            Sign out
          </button>
        </div>
      )}
    </div>
  )
}
