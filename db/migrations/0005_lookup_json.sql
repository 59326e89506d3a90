-- The barcode lookup answers with the product's JSON as the API serves it (the key order and formats
-- of toProductView in src/modules/catalog/product-view.ts; a test compares them byte for byte), so a
-- cache miss costs the API one text column instead of fifteen to parse and serialize again.
-- Timestamps: UTC, millisecond precision truncated, like JavaScript's Date of PostgreSQL's text.
-- Deleted products never resolve. Replaces pos_product_by_barcode (0004), which stays until a
-- later release: during a rolling deploy the pods not yet replaced still call it.
CREATE OR REPLACE FUNCTION "pos_product_json"(p_tenant uuid, p_barcode text)
RETURNS text LANGUAGE plpgsql STABLE AS $$
DECLARE
  result text;
BEGIN
  SELECT row_to_json(v)::text INTO result FROM (
    SELECT p.id, p.sku, p.name, p.description,
           coalesce((SELECT array_agg(b2.barcode ORDER BY b2.barcode) FROM product_barcodes b2
                     WHERE b2.tenant_id = p.tenant_id AND b2.product_id = p.id), '{}') AS barcodes,
           p.category_id AS "categoryId", p.price, p.cost, p.unit, p.tax_rate AS "taxRate",
           p.is_active AS "isActive", p.version,
           to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "createdAt",
           to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "updatedAt"
    FROM product_barcodes b
    JOIN products p ON p.tenant_id = b.tenant_id AND p.id = b.product_id
    WHERE b.tenant_id = p_tenant AND b.barcode = p_barcode AND p.deleted_at IS NULL
    LIMIT 1
  ) v;
  RETURN result;
END
$$;
