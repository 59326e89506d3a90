import { AppError, dataError } from '../../lib/errors'
import type { Principal } from '../../plugins/auth'
import type { NewReceiptInput } from './model'
import { createReceipt, type ReceiptDeps } from './receipts'

type OfflineReceipt = NewReceiptInput & { id: string; occurredAt: string }
type Result = {
  id: string
  status: 'created' | 'duplicate' | 'error'
  number?: number
  error?: { code: string; detail: string }
}

/**
 * Receipts a register captured while offline, uploaded together. Each is recorded on its own (one
 * bad receipt does not hold back the others), oldest first so each terminal's numbers follow the
 * order of sale; an id already recorded is a duplicate and creates nothing.
 */
export async function createOfflineBatch(deps: ReceiptDeps, auth: Principal, receipts: OfflineReceipt[]) {
  // By instant, not by text: registers may send local times with their UTC offsets.
  const order = receipts.map((r, i) => ({ r, i, at: Date.parse(r.occurredAt) })).sort((a, b) => a.at - b.at)
  const results: Result[] = new Array(receipts.length)
  for (const { r, i } of order) {
    try {
      const outcome = await createReceipt(deps, auth, r, undefined)
      results[i] = {
        id: r.id,
        status: outcome.replayed ? 'duplicate' : 'created',
        number: outcome.body.number,
      }
    } catch (error) {
      const problem = error instanceof AppError ? error : dataError(error)
      if (!problem) throw error
      results[i] = { id: r.id, status: 'error', error: { code: problem.code, detail: problem.detail } }
    }
  }
  return { results }
}
