-- pgbench baseline in the spirit of `pgbench -S` (select one row by primary key), on this schema:
-- one product of the benchmark tenant by (tenant_id, id), ids recomputed like db/seed/bench-load.ts
-- makes them. The cache-off lookup is measured against it (issue target: at least 0.6×).
-- Variables (-D): tenant, np (its product count), pp (product id prefix).
\set n random(0, :np - 1)
SELECT price FROM products
WHERE tenant_id = :tenant AND id = overlay(overlay(md5(:pp::text || :n::text) placing '4' from 13) placing '8' from 17)::uuid;
