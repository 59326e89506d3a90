-- A stock level is a running sum of sale, refund, receipt and count quantities, each of which may
-- be as large as numeric(12,3) holds: one large sale left a level that the next sale of the product
-- overflowed, refusing every later sale of it. Levels and movements take numeric(18,3); raising a
-- numeric's precision at the same scale rewrites neither table nor index.
ALTER TABLE "stock" ALTER COLUMN "quantity" SET DATA TYPE numeric(18, 3);--> statement-breakpoint
-- stock_movements is partitioned (0001, hand-written): the parent's change reaches every partition.
ALTER TABLE "stock_movements" ALTER COLUMN "quantity" SET DATA TYPE numeric(18, 3);
