// The notification centre (`/api/me/notifications`) and one's notification preferences
// (`/api/me/notification-preferences`). In-app notifications are always on; preferences say
// which events are also e-mailed, and whether e-mail comes as one daily digest.
import type { Schema } from './api/client'
import { authedRequest } from './session'

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

export function unreadCount(signal?: AbortSignal): Promise<{ unread: number }> {
  return authedRequest<{ unread: number }>('/api/me/notifications/unread-count', { signal })
}

export function listNotifications(before: string | null, signal?: AbortSignal): Promise<NotificationPage> {
  const query = new URLSearchParams({ limit: '20' })
  if (before) query.set('before', before)
  return authedRequest<NotificationPage>(`/api/me/notifications?${query.toString()}`, { signal })
}

export function markRead(id: string): Promise<void> {
  return authedRequest<void>(`/api/me/notifications/${encodeURIComponent(id)}/read`, { method: 'POST' })
}

export function markAllRead(): Promise<{ marked: number }> {
  return authedRequest<{ marked: number }>('/api/me/notifications/read-all', { method: 'POST' })
}

export function getPreferences(signal?: AbortSignal): Promise<Preferences> {
  return authedRequest<Preferences>('/api/me/notification-preferences', { signal })
}

export function savePreferences(body: { digest: boolean; email_off: string[] }): Promise<Preferences> {
  return authedRequest<Preferences>('/api/me/notification-preferences', { method: 'PUT', body })
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
