-- Barcode lookup on a cache miss, as a PL/pgSQL function: its statement is planned once per server
-- connection and the plan reused, which PgBouncer's transaction pooling otherwise rules out (no named
-- prepared statements before PgBouncer 1.21). Planning the plain statement costs about three times
-- its execution (pgbench, bench/pgbench/lookup.sql: 6,156 tps unnamed vs 23,517 tps prepared).
-- Deleted products never resolve; the product's barcodes come sorted.
CREATE OR REPLACE FUNCTION "pos_product_by_barcode"(p_tenant uuid, p_barcode text)
RETURNS TABLE (
  id uuid, sku text, name text, description text, category_id uuid, price bigint, cost bigint,
  unit text, tax_rate integer, is_active boolean, version integer, created_at timestamptz,
  updated_at timestamptz, deleted_at timestamptz, barcodes text[]
) LANGUAGE plpgsql STABLE AS $$
BEGIN
  RETURN QUERY
  SELECT p.id, p.sku, p.name, p.description, p.category_id, p.price, p.cost, p.unit, p.tax_rate,
         p.is_active, p.version, p.created_at, p.updated_at, p.deleted_at,
         coalesce((SELECT array_agg(b2.barcode ORDER BY b2.barcode) FROM product_barcodes b2
                   WHERE b2.tenant_id = p.tenant_id AND b2.product_id = p.id), '{}')
  FROM product_barcodes b
  JOIN products p ON p.tenant_id = b.tenant_id AND p.id = b.product_id
  WHERE b.tenant_id = p_tenant AND b.barcode = p_barcode AND p.deleted_at IS NULL
  LIMIT 1;
END
$$;
