import { useQuery } from '@tanstack/react-query'
import { Link } from 'react-router'
import { badgeText, notificationKeys, UNREAD_POLL_MS, unreadCount } from '../notifications'

/** The header's bell: the unread count (polled, and refetched when the window regains focus),
 * linking to the notification centre. */
export function NotificationBell() {
  const unread = useQuery({
    queryKey: notificationKeys.unread,
    queryFn: ({ signal }) => unreadCount(signal),
    refetchInterval: UNREAD_POLL_MS,
    refetchOnWindowFocus: true,
  })
  const count = unread.data?.unread ?? 0
  const badge = badgeText(count)
  const label = count === 0 ? 'Notifications, none unread' : `Notifications, ${count} unread`
  return (
    <Link
      to="/notifications"
      aria-label={label}
      data-testid="notification-bell"
      className="relative inline-flex h-9 w-9 items-center justify-center rounded-md text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" className="h-5 w-5" fill="none" stroke="currentColor" strokeWidth="1.8">
        <path d="M6 8a6 6 0 1 1 12 0c0 7 3 8 3 8H3s3-1 3-8" strokeLinecap="round" strokeLinejoin="round" />
        <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" strokeLinecap="round" strokeLinejoin="round" />
      </svg>
      {badge && (
        <span
          data-testid="notification-badge"
          className="absolute -right-1 -top-1 min-w-5 rounded-full bg-rose-100 px-1 text-center text-xs font-semibold leading-5 text-rose-900 ring-1 ring-rose-300"
        >
          {badge}
        </span>
      )}
    </Link>
  )
}
