// The notification centre (`/api/me/notifications`) and one's notification preferences
// (`/api/me/notification-preferences`). In-app notifications are always on; preferences say
// which events are also e-mailed, and whether e-mail comes as one daily digest.
import { answer, api, done, type Schema } from './api/client'

export type Notification = Schema<'NotificationOut'>
export type NotificationPage = Schema<'NotificationPage'>
export type Preferences = Schema<'PreferencesOut'>

/** How often the bell asks for the unread count (it also refetches when the window regains focus). */
export const UNREAD_POLL_MS = 60_000

export const notificationKeys = {
  unread: ['notifications', 'unread'] as const,
  list: ['notifications', 'list'] as const,
  preferences: ['notifications', 'preferences'] as const,
}

export async function unreadCount(signal?: AbortSignal): Promise<{ unread: number }> {
  return answer(await api.GET('/api/me/notifications/unread-count', { signal }))
}

export async function listNotifications(before: string | null, signal?: AbortSignal): Promise<NotificationPage> {
  const query = before ? { limit: 20, before } : { limit: 20 }
  return answer(await api.GET('/api/me/notifications', { params: { query }, signal }))
}

export function markRead(id: string): Promise<void> {
  return done(api.POST('/api/me/notifications/{notification_id}/read', { params: { path: { notification_id: id } } }))
}

export async function markAllRead(): Promise<{ marked: number }> {
  return answer(await api.POST('/api/me/notifications/read-all'))
}

export async function getPreferences(signal?: AbortSignal): Promise<Preferences> {
  return answer(await api.GET('/api/me/notification-preferences', { signal }))
}

export async function savePreferences(body: { digest: boolean; email_off: string[] }): Promise<Preferences> {
  return answer(await api.PUT('/api/me/notification-preferences', { body }))
}

/** The bell's badge: nothing at 0, the count up to 99, then "99+". */
export function badgeText(unread: number): string | null {
  if (unread <= 0) return null
  return unread > 99 ? '99+' : String(unread)
}

/** An in-app link is a path of this app; anything else is not followed. */
export function safeLink(link: string | null | undefined): string | null {
  return link && /^\/[^/\\]/.test(link) ? link : null
}
