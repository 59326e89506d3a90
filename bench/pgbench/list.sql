-- pgbench baseline of the product list (GET /api/v1/products?limit=50): the service's first page
-- of the benchmark tenant's live products in id order, with each product's barcodes aggregated.
-- Variables (-D): tenant (uuid).
SELECT p.id, p.sku, p.name, p.description, p.category_id, p.price, p.cost, p.unit, p.tax_rate, p.is_active,
       p.version, p.created_at, p.updated_at, p.deleted_at,
       coalesce((SELECT array_agg(b2.barcode ORDER BY b2.barcode) FROM product_barcodes b2
                 WHERE b2.tenant_id = p.tenant_id AND b2.product_id = p.id), '{}') AS barcodes
FROM products p
WHERE p.tenant_id = :tenant AND p.deleted_at IS NULL
ORDER BY p.id
LIMIT 51;
