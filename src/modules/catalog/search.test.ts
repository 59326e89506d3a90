import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { startTestApp, type TestApp } from '../../testing/harness'
import { prefixQuery, searchQuery, spellingsOf, transliterate } from './search'

// Name search: prefixes, typos, transliteration, ranking — and proof that it reads the GiST indexes.

let t: TestApp
let key: string
let tenantId: string
type Json = Record<string, unknown>
const search = async (body: unknown) => {
  const res = await t.request('POST', '/api/v1/products/search', { key, body })
  return { status: res.status, body: (await res.json()) as Json }
}
/** Every node of an EXPLAIN (FORMAT JSON) plan. */
function nodesOf(explained: string): Json[] {
  const out: Json[] = []
  const walk = (n: Json) => {
    out.push(n)
    for (const c of (n.Plans as Json[] | undefined) ?? []) walk(c)
  }
  const doc = JSON.parse(explained)[0]
  walk((doc['QUERY PLAN'] ?? doc)[0].Plan)
  return out
}
const SEARCH_INDEXES = ['products_search_idx', 'products_name_trgm_idx']
const names = (body: Json) => (body.items as Json[]).map((p) => p.name)

beforeAll(async () => {
  t = await startTestApp()
  const a = await t.newTenant()
  key = a.apiKey
  tenantId = a.tenant.id
  const other = (await t.newTenant()).tenant.id
  // A large tenant next to a small one: with a few thousand rows a tenant's scan is rightly cheaper
  // than the GiST indexes (trigram searches cost much in the planner's model).
  const words = ['Хлеб', 'Сахар', 'Соль', 'Масло', 'Кофе', 'Чай', 'Рис', 'Гречка', 'Мука', 'Сок']
  for (const [tenant, rows] of [
    [tenantId, 30_000],
    [other, 3000],
  ] as const)
    await t.database.rows(sql`
      insert into products (tenant_id, sku, name, price)
      select ${tenant}, 'G-' || g, (${sql.raw(`array['${words.join("','")}']`)})[1 + g % 10] || ' сорт ' || g, g
      from generate_series(1, ${rows}) g`)
  for (const [sku, name, barcode] of [
    ['MILK-1', 'Молоко 3.2% 1 л', '4780000000014'],
    ['MILK-2', 'Молоко топлёное 4% 0.5 л', '4780000000021'],
    ['KEFIR', 'Кефир 2.5% 1 л', '4780000000038'],
    ['PEPSI', 'Pepsi 1.5 л', '4780000000045'],
  ] as const) {
    const res = await t.request('POST', '/api/v1/products', {
      key,
      body: { sku, name, price: 9000, barcodes: [barcode] },
    })
    expect(res.status).toBe(201)
  }
  // The planner needs the new rows' statistics to choose the index probes.
  await t.database.rows(sql`analyze products`)
}, 60_000)
afterAll(() => t.close())

describe('product search', () => {
  test('a prefix finds the word: "молок" → both milks, not kefir', async () => {
    const r = await search({ q: 'молок' })
    expect(r.status).toBe(200)
    expect(names(r.body).slice(0, 2).toSorted()).toEqual(['Молоко 3.2% 1 л', 'Молоко топлёное 4% 0.5 л'])
    expect(names(r.body)).not.toContain('Кефир 2.5% 1 л')
  })

  test('a typo still finds it: "малоко"', async () => {
    expect(names((await search({ q: 'малоко' })).body)[0]).toStartWith('Молоко')
  })

  test('Latin transliteration: "moloko"', async () => {
    expect(transliterate('moloko')).toBe('молоко')
    expect(transliterate('молоко')).toBeUndefined()
    expect(names((await search({ q: 'moloko' })).body)[0]).toStartWith('Молоко')
  })

  test('a Latin brand typed in Cyrillic: "пепси"; ё typed where the name has е', async () => {
    expect(spellingsOf('Пепси')).toEqual(['Пепси', 'pepsi'])
    expect(spellingsOf('зелёный')).toEqual(['зелёный', 'zelyonyy', 'зеленый'])
    expect(names((await search({ q: 'пепси' })).body)[0]).toBe('Pepsi 1.5 л')
  })

  test('full words rank the closer name first; limit is honoured; nothing found is an empty list', async () => {
    expect(names((await search({ q: 'молоко 3.2%' })).body)[0]).toBe('Молоко 3.2% 1 л')
    expect((await search({ q: 'сахар', limit: 5 })).body.items).toHaveLength(5)
    expect((await search({ q: 'zzzzqqq' })).body.items).toEqual([])
    expect(prefixQuery("a' & !b | c:*")).toBe('a:* & b:* & c:*')
    expect((await search({ q: "'); drop table products; --" })).status).toBe(200)
  })

  test('{barcode} answers exactly as by-barcode; bad input is 400', async () => {
    const byGet = await t.request('GET', '/api/v1/products/by-barcode/4780000000014', { key })
    const byPost = await t.request('POST', '/api/v1/products/search', {
      key,
      body: { barcode: '4780000000014' },
    })
    expect(byPost.status).toBe(200)
    expect(byPost.headers.get('content-type')).toStartWith('application/json')
    expect(await byPost.text()).toBe(await byGet.text())
    expect((await search({ barcode: '0000000' })).status).toBe(404)
    expect((await search({ barcode: 'a$b' })).status).toBe(400)
    expect((await search({ q: '' })).status).toBe(400)
    expect((await search({})).status).toBe(400)
  })

  test('is answered from the GiST indexes (full-text and trigram), never by scanning products', async () => {
    // GiST led by tenant_id: a probe descends into its tenant's part of the tree, where a GIN
    // index's word and trigram lists span every tenant (migration 0006).
    const methods = await t.database.rows<{ name: string; method: string }>(sql`
      select c.relname as name, a.amname as method from pg_class c join pg_am a on a.oid = c.relam
      where c.relname in ${SEARCH_INDEXES} order by 1`)
    expect(methods).toEqual([
      { name: 'products_name_trgm_idx', method: 'gist' },
      { name: 'products_search_idx', method: 'gist' },
    ])
    for (const q of ['молок', 'малоко', 'moloko']) {
      const nodes = nodesOf(await t.explain(searchQuery(t.db, tenantId, q, 20)))
      const indexes = new Set(nodes.map((n) => n['Index Name']))
      for (const index of SEARCH_INDEXES) expect(indexes).toContain(index)
      const scans = nodes.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] === 'products')
      expect(scans).toEqual([])
    }
  })
})
