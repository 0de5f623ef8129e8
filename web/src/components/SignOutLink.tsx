import { useQueryClient } from '@tanstack/react-query'
import { signOut } from '../session'

/** A quiet way out of the MFA pages (there is no top bar there). */
export function SignOutLink() {
  const queryClient = useQueryClient()
  return (
    <p className="text-center text-sm text-slate-600">
      <button
        type="button"
        onClick={() => void signOut(() => queryClient.clear())}
        className="font-medium text-slate-700 underline-offset-2 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-600"
      >
        Sign out
      </button>
    </p>
  )
}
