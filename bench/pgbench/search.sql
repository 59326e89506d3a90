-- pgbench baseline of name search (POST /api/v1/products/search {q}): the service's statement for
-- one of the scenario's Cyrillic terms (db/seed/bench-data.ts SEARCH_TERMS) — one GiST probe per arm
-- (full-text words, trigram word similarity) collected first, then the candidates
-- fetched by primary key, scored and ranked — in the transaction that sets the similarity threshold.
-- Variables (-D): tenant (uuid).
\set i random(1, 6)
BEGIN;
SET LOCAL pg_trgm.word_similarity_threshold = 0.4;
SELECT (array['молоко', 'кефир', 'шоколад', 'хлеб', 'сок яблочный', 'колбас'])[:i] AS q,
       (array['молоко:*', 'кефир:*', 'шоколад:*', 'хлеб:*', 'сок:* & яблочный:*', 'колбас:*'])[:i] AS pq \gset
SELECT p.id, p.sku, p.name, p.description, p.category_id, p.price, p.cost, p.unit, p.tax_rate, p.is_active,
       p.version, p.created_at, p.updated_at, p.deleted_at,
       coalesce((SELECT array_agg(b2.barcode ORDER BY b2.barcode) FROM product_barcodes b2
                 WHERE b2.tenant_id = p.tenant_id AND b2.product_id = p.id), '{}') AS barcodes,
       (CASE WHEN p.search @@ websearch_to_tsquery('russian', :q::text) THEN 1 ELSE 0 END
        + CASE WHEN p.search @@ to_tsquery('russian', :pq::text) THEN 0.5 ELSE 0 END
        + word_similarity(:q::text, lower(p.name)) + similarity(:q::text, lower(p.name)) * 0.5) AS score
FROM products p
WHERE p.tenant_id = :tenant AND p.deleted_at IS NULL
  AND p.id = any(array(
    SELECT c.id FROM products c WHERE c.tenant_id = :tenant AND c.search @@ websearch_to_tsquery('russian', :q::text)
    UNION SELECT c.id FROM products c WHERE c.tenant_id = :tenant AND :q::text <% lower(c.name)))
ORDER BY score DESC, p.name
LIMIT 20;
COMMIT;
