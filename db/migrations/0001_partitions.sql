-- Sales and stock history, range-partitioned by month on occurred_at. drizzle-kit cannot express
-- PARTITION BY; db/schema/sales-history.ts and stock-history.ts mirror these definitions.
-- A partitioned table's primary key must contain the partition column, hence (tenant_id, id, occurred_at);
-- receipt_ids (a plain table) keeps receipt ids unique across partitions.
--
-- Foreign keys from history point only at rows owned by one register at a time (its receipt id,
-- shift, terminal). Shared reference rows (stores, products, warehouses) are checked by the
-- service and never hard-deleted: an FK check takes FOR KEY SHARE on the referenced row, and a hot
-- product sold by many registers at once would turn that into multixact churn on every sale.
CREATE TABLE "receipts" (
	"tenant_id" uuid NOT NULL,
	"id" uuid NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"number" integer NOT NULL,
	"store_id" uuid NOT NULL,
	"terminal_id" uuid NOT NULL,
	"shift_id" uuid NOT NULL,
	"customer_id" uuid,
	"employee_id" uuid,
	"status" text DEFAULT 'completed' NOT NULL,
	"subtotal" bigint NOT NULL,
	"discount" bigint NOT NULL,
	"tax" bigint NOT NULL,
	"total" bigint NOT NULL,
	"paid" bigint NOT NULL,
	"change" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("tenant_id", "id", "occurred_at"),
	FOREIGN KEY ("tenant_id", "id") REFERENCES "receipt_ids" ("tenant_id", "id"),
	FOREIGN KEY ("tenant_id", "shift_id") REFERENCES "shifts" ("tenant_id", "id"),
	FOREIGN KEY ("tenant_id", "terminal_id") REFERENCES "terminals" ("tenant_id", "id")
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE INDEX "receipts_store_occurred_idx" ON "receipts" ("tenant_id", "store_id", "occurred_at");
--> statement-breakpoint
CREATE INDEX "receipts_terminal_occurred_idx" ON "receipts" ("tenant_id", "terminal_id", "occurred_at");
--> statement-breakpoint
CREATE INDEX "receipts_shift_idx" ON "receipts" ("tenant_id", "shift_id");
--> statement-breakpoint
CREATE INDEX "receipts_terminal_number_idx" ON "receipts" ("tenant_id", "terminal_id", "number");
--> statement-breakpoint
CREATE TABLE "receipt_items" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"receipt_id" uuid NOT NULL,
	"line_no" integer NOT NULL,
	"product_id" uuid NOT NULL,
	"barcode" text,
	"name" text NOT NULL,
	"quantity" numeric(12, 3) NOT NULL,
	"price" bigint NOT NULL,
	"discount" bigint NOT NULL,
	"total" bigint NOT NULL,
	"tax_rate" integer NOT NULL,
	"tax" bigint NOT NULL,
	"refunded_quantity" numeric(12, 3) DEFAULT '0' NOT NULL,
	PRIMARY KEY ("tenant_id", "id", "occurred_at"),
	FOREIGN KEY ("tenant_id", "receipt_id") REFERENCES "receipt_ids" ("tenant_id", "id"),
	CHECK ("refunded_quantity" >= 0 AND "refunded_quantity" <= "quantity")
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE INDEX "receipt_items_receipt_idx" ON "receipt_items" ("tenant_id", "receipt_id");
--> statement-breakpoint
CREATE INDEX "receipt_items_product_occurred_idx" ON "receipt_items" ("tenant_id", "product_id", "occurred_at");
--> statement-breakpoint
CREATE TABLE "payments" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"receipt_id" uuid NOT NULL,
	"refund_id" uuid,
	"shift_id" uuid,
	"store_id" uuid NOT NULL,
	"method" text NOT NULL,
	"amount" bigint NOT NULL,
	PRIMARY KEY ("tenant_id", "id", "occurred_at"),
	FOREIGN KEY ("tenant_id", "receipt_id") REFERENCES "receipt_ids" ("tenant_id", "id"),
	FOREIGN KEY ("tenant_id", "refund_id") REFERENCES "refunds" ("tenant_id", "id"),
	CHECK ("method" IN ('cash', 'card', 'transfer'))
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE INDEX "payments_receipt_idx" ON "payments" ("tenant_id", "receipt_id");
--> statement-breakpoint
CREATE INDEX "payments_store_occurred_idx" ON "payments" ("tenant_id", "store_id", "occurred_at");
--> statement-breakpoint
CREATE INDEX "payments_shift_idx" ON "payments" ("tenant_id", "shift_id");
--> statement-breakpoint
CREATE TABLE "stock_movements" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"warehouse_id" uuid NOT NULL,
	"product_id" uuid NOT NULL,
	"type" text NOT NULL,
	"quantity" numeric(12, 3) NOT NULL,
	"reason" text,
	"reference" text,
	"receipt_id" uuid,
	"refund_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("tenant_id", "id", "occurred_at"),
	CHECK ("type" IN ('sale', 'refund', 'receive', 'adjust', 'transfer_out', 'transfer_in', 'count', 'writeoff'))
) PARTITION BY RANGE ("occurred_at");
--> statement-breakpoint
CREATE INDEX "stock_movements_product_occurred_idx" ON "stock_movements" ("tenant_id", "product_id", "occurred_at");
--> statement-breakpoint
CREATE INDEX "stock_movements_warehouse_occurred_idx" ON "stock_movements" ("tenant_id", "warehouse_id", "occurred_at");
--> statement-breakpoint
-- Rows outside every monthly partition (a register whose clock is years off) land here, so no
-- insert ever fails for lack of a partition; maintenance moves them out when their month is created.
CREATE TABLE "receipts_default" PARTITION OF "receipts" DEFAULT;
--> statement-breakpoint
CREATE TABLE "receipt_items_default" PARTITION OF "receipt_items" DEFAULT;
--> statement-breakpoint
CREATE TABLE "payments_default" PARTITION OF "payments" DEFAULT;
--> statement-breakpoint
CREATE TABLE "stock_movements_default" PARTITION OF "stock_movements" DEFAULT;
--> statement-breakpoint
-- Keeps monthly partitions from months_back before to months_ahead after the current month (UTC).
-- Idempotent; serialised by a transaction-scoped advisory lock, which works through PgBouncer's
-- transaction pooling. Rows already sitting in the default partition for a new month are moved in.
CREATE OR REPLACE FUNCTION "pos_ensure_partitions"(months_back integer DEFAULT 1, months_ahead integer DEFAULT 3)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	parent text;
	month_start date;
	part text;
	lo timestamptz;
	hi timestamptz;
	created integer := 0;
BEGIN
	PERFORM pg_advisory_xact_lock(hashtext('pos_ensure_partitions'));
	FOREACH parent IN ARRAY ARRAY['receipts', 'receipt_items', 'payments', 'stock_movements'] LOOP
		FOR i IN -months_back..months_ahead LOOP
			month_start := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i))::date;
			part := format('%s_p%s', parent, to_char(month_start, 'YYYYMM'));
			CONTINUE WHEN to_regclass(quote_ident(part)) IS NOT NULL;
			lo := month_start::timestamp AT TIME ZONE 'UTC';
			hi := (month_start + interval '1 month')::timestamp AT TIME ZONE 'UTC';
			EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
			EXECUTE format(
				'WITH moved AS (DELETE FROM %I WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
				parent || '_default', part
			) USING lo, hi;
			EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
			created := created + 1;
		END LOOP;
	END LOOP;
	RETURN created;
END
$$;
--> statement-breakpoint
SELECT "pos_ensure_partitions"();
