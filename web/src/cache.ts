/** An updater for a cached list (`setQueryData`): `updated` in place of the item with its id. */
export function replaceById<T extends { id: string }>(updated: T): (old: T[] | undefined) => T[] | undefined {
  return (old) => old?.map((item) => (item.id === updated.id ? updated : item))
}
