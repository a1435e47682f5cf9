// This device in the sync: a client id made once (a UUIDv7, kept in IndexedDB) and the hybrid logical clock that
// stamps its mutations. The clock's node is the client id without its dashes, which fits the stamp's node
// pattern [A-Za-z0-9_-]{1,64}. The clock's last stamp is written with every mutation (outbox.ts), so a restart,
// even with the phone's clock set back, never stamps earlier than before. Only `tick` is used: the server's
// answers and pulled records carry no stamps today; if they ever do, `clock.receive` them here.
import { loadMeta, saveMeta } from '../../platform/db'
import { Clock, format, parse } from './hlc'
import { uuidv7 } from './uuid'

export interface Identity {
  clientId: string
  clock: Clock
}

let identity: Promise<Identity> | undefined

async function load(): Promise<Identity> {
  let client = await loadMeta('client')
  if (!client) {
    const clientId = uuidv7()
    client = { client_id: clientId, node: clientId.replace(/-/g, '') }
    await saveMeta('client', client)
  }
  const last = await loadMeta('clock')
  let clock = new Clock(client.node)
  if (last) {
    try {
      const stamp = parse(last)
      clock = new Clock(client.node, { ...stamp, node: client.node })
    } catch {
      // A damaged stamp: start from the wall clock, which is what a new device does.
    }
  }
  return { clientId: client.client_id, clock }
}

/** The device's identity, read (or made) once per page load. */
export function deviceIdentity(): Promise<Identity> {
  identity ??= load().catch((error: unknown) => {
    identity = undefined
    throw error
  })
  return identity
}

/** A new stamp for a local event; the caller stores it with the mutation it stamps. */
export async function nextStamp(physicalMs: number = Date.now()): Promise<string> {
  return format((await deviceIdentity()).clock.tick(physicalMs))
}

/** Tests: forget the identity read so far (a fresh IndexedDB makes a new one). */
export function forgetIdentity(): void {
  identity = undefined
}
