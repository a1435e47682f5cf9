// An old version of the database, made the way an earlier release made it, for the upgrade tests of platform/db.ts.
// Plain IndexedDB (fake-indexeddb in tests): platform/db.ts stays the only module that imports 'idb'.

export interface OldDatabase {
  put(store: string, value: unknown, key?: IDBValidKey): Promise<void>
  close(): void
}

function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
}

/** Open `name` at `version`, creating its stores in `upgrade` as that release did. */
export async function openDB(name: string, version: number, { upgrade }: { upgrade(database: IDBDatabase): void }): Promise<OldDatabase> {
  const request = indexedDB.open(name, version)
  request.onupgradeneeded = () => upgrade(request.result)
  const database = await done(request)
  return {
    async put(store, value, key) {
      const transaction = database.transaction(store, 'readwrite')
      const written = new Promise<void>((resolve, reject) => {
        transaction.oncomplete = () => resolve()
        transaction.onerror = () => reject(transaction.error)
        transaction.onabort = () => reject(transaction.error)
      })
      transaction.objectStore(store).put(value, key)
      await written
    },
    close: () => database.close(),
  }
}
