-- Name search: Russian full-text (stemmed words) plus trigram similarity (prefixes, typos).
-- btree_gin lets both GIN indexes lead with tenant_id, so a tenant's search never reads another's entries.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;
--> statement-breakpoint
CREATE INDEX "products_search_idx" ON "products" USING gin ("tenant_id", "search");
--> statement-breakpoint
CREATE INDEX "products_name_trgm_idx" ON "products" USING gin ("tenant_id", lower("name") gin_trgm_ops);
