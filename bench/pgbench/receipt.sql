-- pgbench baseline of receipt creation: what one POST /api/v1/receipts must write, in one
-- transaction — the terminal's receipt counter, the idempotency record, receipt_ids, the receipt,
-- 5 receipt_items, 1 payment, 5 stock decrements (one UPDATE, index order: no deadlocks) and
-- 5 stock movements. Products and registers are those of the benchmark tenant; ids are recomputed
-- like db/seed/bench-load.ts makes them (md5 of a prefix and an index, as a version-4 UUID). Variables (-D): tenant,
-- np (products of tenant 0), nterm (its registers), k (registers per store), and the id prefixes
-- kp, pp, sp, wp, op — passed whole because pgbench would take ':k' inside a SQL literal for a variable.
\set g random(0, :nterm - 1)
\set n1 random(0, :np - 1)
\set n2 random(0, :np - 1)
\set n3 random(0, :np - 1)
\set n4 random(0, :np - 1)
\set n5 random(0, :np - 1)
\set j :g / :k
BEGIN;
UPDATE terminals SET receipt_seq = receipt_seq + 1
WHERE tenant_id = :tenant AND id = overlay(overlay(md5(:kp::text || :g::text) placing '4' from 13) placing '8' from 17)::uuid
RETURNING receipt_seq AS num, gen_random_uuid() AS rid \gset
SELECT sum(price) AS total, sum(round(price * tax_rate / (10000.0 + tax_rate)))::bigint AS tax
FROM products WHERE tenant_id = :tenant AND id IN (overlay(overlay(md5(:pp::text || :n1::text) placing '4' from 13) placing '8' from 17)::uuid,
  overlay(overlay(md5(:pp::text || :n2::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:pp::text || :n3::text) placing '4' from 13) placing '8' from 17)::uuid,
  overlay(overlay(md5(:pp::text || :n4::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:pp::text || :n5::text) placing '4' from 13) placing '8' from 17)::uuid) \gset
INSERT INTO idempotency_keys (tenant_id, key, route, request_hash, response_status, response_body)
VALUES (:tenant, 'pgbench-' || :rid::text, 'POST /api/v1/receipts', md5(:rid::text), 201, '{}');
INSERT INTO receipt_ids (tenant_id, id, occurred_at) VALUES (:tenant, :rid::uuid, now());
INSERT INTO receipts (tenant_id, id, occurred_at, number, store_id, terminal_id, shift_id, subtotal, discount,
                      tax, total, paid, change)
VALUES (:tenant, :rid::uuid, now(), :num::int, overlay(overlay(md5(:sp::text || :j::text) placing '4' from 13) placing '8' from 17)::uuid,
        overlay(overlay(md5(:kp::text || :g::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:op::text || :g::text) placing '4' from 13) placing '8' from 17)::uuid,
        :total::bigint, 0, :tax::bigint, :total::bigint, :total::bigint, 0);
INSERT INTO receipt_items (tenant_id, occurred_at, receipt_id, line_no, product_id, name, quantity, price,
                           discount, total, tax_rate, tax)
SELECT :tenant, now(), :rid::uuid, row_number() OVER (ORDER BY id), id, name, 1, price, 0, price, tax_rate,
       round(price * tax_rate / (10000.0 + tax_rate))::bigint
FROM products WHERE tenant_id = :tenant AND id IN (overlay(overlay(md5(:pp::text || :n1::text) placing '4' from 13) placing '8' from 17)::uuid,
  overlay(overlay(md5(:pp::text || :n2::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:pp::text || :n3::text) placing '4' from 13) placing '8' from 17)::uuid,
  overlay(overlay(md5(:pp::text || :n4::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:pp::text || :n5::text) placing '4' from 13) placing '8' from 17)::uuid);
INSERT INTO payments (tenant_id, occurred_at, receipt_id, shift_id, store_id, method, amount)
VALUES (:tenant, now(), :rid::uuid, overlay(overlay(md5(:op::text || :g::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:sp::text || :j::text) placing '4' from 13) placing '8' from 17)::uuid,
        'card', :total::bigint);
UPDATE stock SET quantity = quantity - 1, updated_at = now()
WHERE tenant_id = :tenant AND warehouse_id = overlay(overlay(md5(:wp::text || :j::text) placing '4' from 13) placing '8' from 17)::uuid
  AND product_id IN (overlay(overlay(md5(:pp::text || :n1::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:pp::text || :n2::text) placing '4' from 13) placing '8' from 17)::uuid,
                     overlay(overlay(md5(:pp::text || :n3::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:pp::text || :n4::text) placing '4' from 13) placing '8' from 17)::uuid,
                     overlay(overlay(md5(:pp::text || :n5::text) placing '4' from 13) placing '8' from 17)::uuid);
INSERT INTO stock_movements (tenant_id, occurred_at, warehouse_id, product_id, type, quantity, receipt_id)
SELECT :tenant, now(), overlay(overlay(md5(:wp::text || :j::text) placing '4' from 13) placing '8' from 17)::uuid, id, 'sale', -1, :rid::uuid
FROM products WHERE tenant_id = :tenant AND id IN (overlay(overlay(md5(:pp::text || :n1::text) placing '4' from 13) placing '8' from 17)::uuid,
  overlay(overlay(md5(:pp::text || :n2::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:pp::text || :n3::text) placing '4' from 13) placing '8' from 17)::uuid,
  overlay(overlay(md5(:pp::text || :n4::text) placing '4' from 13) placing '8' from 17)::uuid, overlay(overlay(md5(:pp::text || :n5::text) placing '4' from 13) placing '8' from 17)::uuid);
END;
