import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query'
import { Link } from 'react-router'
import { linkClass, secondaryButton } from '../components/form'
import { Page, Section } from '../components/Page'
import { asProblem, ProblemAlert } from '../components/ProblemAlert'
import { LoadingPanel } from '../components/LoadingScreen'
import { listNotifications, markAllRead, markRead, notificationKeys, safeLink, type Notification } from '../notifications'

function when(iso: string): string {
  return new Date(iso).toLocaleString()
}

function NotificationItem({ item, onRead }: { item: Notification; onRead: (id: string) => void }) {
  const link = safeLink(item.link)
  const unread = item.read_at === null
  return (
    <li
      data-testid="notification"
      data-unread={unread ? 'true' : 'false'}
      className={`flex flex-wrap items-start justify-between gap-3 px-4 py-3 ${unread ? 'bg-sky-50' : ''}`}
    >
      <div className="min-w-0 flex-1">
        <p className="text-sm font-medium text-slate-900">
          {unread && <span className="sr-only">Unread: </span>}
          {link ? (
            <Link to={link} className={linkClass} onClick={() => unread && onRead(item.id)}>
              {item.title}
            </Link>
          ) : (
            item.title
          )}
        </p>
        {item.body && <p className="mt-1 text-sm text-slate-700">{item.body}</p>}
        <p className="mt-1 text-xs text-slate-600">{when(item.created_at)}</p>
      </div>
      {unread && (
        <button
          type="button"
          className={secondaryButton}
          aria-label={`Mark read: ${item.title}`}
          onClick={() => onRead(item.id)}
        >
          Mark read
        </button>
      )}
    </li>
  )
}

/** `/notifications`: one's notifications, newest first, with links and mark read. */
export function NotificationsPage() {
  const queryClient = useQueryClient()
  const pages = useInfiniteQuery({
    queryKey: notificationKeys.list,
    queryFn: ({ pageParam, signal }) => listNotifications(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_before ?? undefined,
  })
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['notifications'] })
  const readOne = useMutation({ mutationFn: markRead, onSuccess: refresh })
  const readAll = useMutation({ mutationFn: markAllRead, onSuccess: refresh })
  const items = pages.data?.pages.flatMap((p) => p.items) ?? []
  const unread = pages.data?.pages[0]?.unread ?? 0
  const error = readOne.error ?? readAll.error
  return (
    <Page
      title="Notifications"
      actions={
        unread > 0 && (
          <button type="button" className={secondaryButton} disabled={readAll.isPending} onClick={() => readAll.mutate()}>
            Mark all read
          </button>
        )
      }
    >
      <Section title={unread === 1 ? '1 unread' : `${unread} unread`}>
        {error && <ProblemAlert error={asProblem(error)} />}
        {pages.isPending && <LoadingPanel label="Loading notifications…" />}
        {pages.isError && <ProblemAlert error={asProblem(pages.error)} />}
        {pages.data && items.length === 0 && <p className="text-sm text-slate-700">Nothing to tell you yet.</p>}
        {items.length > 0 && (
          <ul className="divide-y divide-slate-200 rounded-md border border-slate-200" aria-label="Notifications">
            {items.map((item) => (
              <NotificationItem key={item.id} item={item} onRead={(id) => readOne.mutate(id)} />
            ))}
          </ul>
        )}
        {pages.hasNextPage && (
          <button
            type="button"
            className={`${secondaryButton} mt-3`}
            disabled={pages.isFetchingNextPage}
            onClick={() => void pages.fetchNextPage()}
          >
            Older notifications
          </button>
        )}
        <p className="mt-4 text-sm text-slate-700">
          Choose which notifications are also e-mailed on{' '}
          <Link to="/account" className={linkClass}>
            your account page
          </Link>
          .
        </p>
      </Section>
    </Page>
  )
}
