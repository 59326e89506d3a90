-- A stock count records what was on the shelf at its occurred_at. A movement that happened before
-- it (or at that instant) but is recorded after it — an offline register's sale uploaded later, goods
-- received entered late, an earlier count entered late — is already in what was counted: the first
-- count after it absorbs it. Its own movement keeps the history right, the count's movement changes
-- by the opposite amount, and the level stays what the count made it, so the signed movements still
-- add up to the level. Only movements dated a second or more in the past are checked (a probe of the
-- counts' partial index, stock_movements_count_idx): counts are never dated ahead of the server.
CREATE INDEX IF NOT EXISTS "stock_movements_count_idx" ON "stock_movements" ("tenant_id", "warehouse_id", "product_id", "occurred_at") WHERE "type" = 'count';
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "pos_count_absorbs"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	c record;
BEGIN
	SELECT m.id, m.occurred_at INTO c FROM stock_movements m
	WHERE m.tenant_id = NEW.tenant_id AND m.product_id = NEW.product_id AND m.warehouse_id = NEW.warehouse_id
		AND m.type = 'count' AND m.id <> NEW.id
		AND m.occurred_at >= NEW.occurred_at AND (m.occurred_at > NEW.occurred_at OR NEW.type <> 'count')
	ORDER BY m.occurred_at, m.id
	LIMIT 1;
	IF NOT FOUND THEN
		RETURN NULL;
	END IF;
	UPDATE stock_movements SET quantity = quantity - NEW.quantity
	WHERE tenant_id = NEW.tenant_id AND id = c.id AND occurred_at = c.occurred_at;
	UPDATE stock SET quantity = quantity - NEW.quantity, updated_at = now()
	WHERE tenant_id = NEW.tenant_id AND warehouse_id = NEW.warehouse_id AND product_id = NEW.product_id;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "stock_movements_count_absorbs" AFTER INSERT ON "stock_movements"
FOR EACH ROW WHEN (NEW.occurred_at < now() - interval '1 second')
EXECUTE FUNCTION "pos_count_absorbs"();
