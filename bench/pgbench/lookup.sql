-- pgbench baseline of the barcode lookup: the service's query (product_barcodes by primary key
-- joined to products, with the product's barcodes aggregated), for a random product of the
-- benchmark tenant. Variables (-D): tenant (uuid), tidx (tenant index), np (its product count).
-- The barcode is recomputed the way db/seed/bench-data.ts barcodeOf() builds it, check digit included.
\set n random(0, :np - 1)
\set first12 478000000000 + :tidx * 1000000 + :n
\set check (10 - ((:first12 / 100000000000) % 10 + 3 * ((:first12 / 10000000000) % 10) + (:first12 / 1000000000) % 10 + 3 * ((:first12 / 100000000) % 10) + (:first12 / 10000000) % 10 + 3 * ((:first12 / 1000000) % 10) + (:first12 / 100000) % 10 + 3 * ((:first12 / 10000) % 10) + (:first12 / 1000) % 10 + 3 * ((:first12 / 100) % 10) + (:first12 / 10) % 10 + 3 * (:first12 % 10)) % 10) % 10
\set barcode :first12 * 10 + :check
SELECT p.id, p.sku, p.name, p.description, p.category_id, p.price, p.cost, p.unit, p.tax_rate, p.is_active,
       p.version, p.created_at, p.updated_at,
       coalesce((SELECT array_agg(b2.barcode ORDER BY b2.barcode) FROM product_barcodes b2
                 WHERE b2.tenant_id = p.tenant_id AND b2.product_id = p.id), '{}') AS barcodes
FROM product_barcodes b
JOIN products p ON p.tenant_id = b.tenant_id AND p.id = b.product_id
WHERE b.tenant_id = :tenant AND b.barcode = :barcode::text AND p.deleted_at IS NULL
LIMIT 1;
