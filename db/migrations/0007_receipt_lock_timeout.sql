-- pos_create_receipt as in 0003, with two changes:
-- - the lock_timeout bounding the wait for a duplicate in flight ends once the Idempotency-Key is
--   claimed. It used to last for the whole function, so a sale queued more than that behind its
--   terminal's row lock (a shift being closed) was answered 409 IDEMPOTENCY_KEY_IN_FLIGHT.
--   withIdempotency (src/infra/idempotency.ts) does the same for every other idempotent write;
-- - the negative-stock check comes after the sale's stock movements are written: a sale dated
--   before a count recorded since (an offline register's, uploaded late) is absorbed by that count
--   (0009) and must not be refused for a level it never lowered.
CREATE OR REPLACE FUNCTION "pos_create_receipt"(p jsonb) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	t uuid := (p->>'tenantId')::uuid;
	r jsonb := p->'receipt';
	rid uuid := (r->>'id')::uuid;
	occurred timestamptz := (r->>'occurredAt')::timestamptz;
	v_shift uuid := (r->>'shiftId')::uuid;
	idem_key text := p->>'idempotencyKey';
	sh record;
	k record;
	wh uuid;
	n bigint;
	allow_negative boolean;
	negatives integer;
	body jsonb;
BEGIN
	IF idem_key IS NOT NULL THEN
		-- A duplicate in flight waits for the first (bounded), then replays its answer.
		PERFORM set_config('lock_timeout', p->>'lockTimeout', true);
		INSERT INTO idempotency_keys (tenant_id, key, route, request_hash, response_status, response_body)
		VALUES (t, idem_key, p->>'route', p->>'requestHash', 0, '{}')
		ON CONFLICT DO NOTHING;
		IF NOT FOUND THEN
			SELECT route, request_hash, response_status, response_body INTO k
			FROM idempotency_keys WHERE tenant_id = t AND key = idem_key;
			IF k.request_hash <> p->>'requestHash' OR k.route <> p->>'route' THEN
				RAISE EXCEPTION 'POS:IDEMPOTENCY_KEY_REUSED:this Idempotency-Key was used with a different request';
			END IF;
			RETURN jsonb_build_object('outcome', 'replayed', 'status', k.response_status, 'body', k.response_body);
		END IF;
		-- The wait bound was for the key alone: the sale may still queue behind ordinary locks (its
		-- register's shift being closed), which is no reason to answer "in flight".
		SET LOCAL lock_timeout TO DEFAULT;
	END IF;

	IF EXISTS (SELECT 1 FROM receipt_ids WHERE tenant_id = t AND id = rid) THEN
		RAISE EXCEPTION 'POS:DUPLICATE_RECEIPT:%', rid;
	END IF;

	SELECT s.store_id, s.terminal_id INTO sh FROM shifts s WHERE s.tenant_id = t AND s.id = v_shift;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'POS:NOT_FOUND:shift not found';
	END IF;
	IF (r->>'boundTerminalId') IS NOT NULL AND (r->>'boundTerminalId')::uuid <> sh.terminal_id
		OR (r->>'boundStoreId') IS NOT NULL AND (r->>'boundStoreId')::uuid <> sh.store_id THEN
		RAISE EXCEPTION 'POS:FORBIDDEN:this key sells only at its own terminal and store';
	END IF;
	IF (r->>'terminalId') IS NOT NULL AND (r->>'terminalId')::uuid <> sh.terminal_id
		OR (r->>'storeId') IS NOT NULL AND (r->>'storeId')::uuid <> sh.store_id THEN
		RAISE EXCEPTION 'POS:VALIDATION_FAILED:storeId/terminalId do not match the shift';
	END IF;

	-- The terminal row lock serialises a register's sales and its shift closing: the number is
	-- gapless (an error rolls the increment back) and no sale slips into a closed shift.
	UPDATE terminals SET receipt_seq = receipt_seq + 1
	WHERE tenant_id = t AND id = sh.terminal_id RETURNING receipt_seq INTO n;
	PERFORM 1 FROM shifts s WHERE s.tenant_id = t AND s.id = v_shift AND s.status = 'open';
	IF NOT FOUND THEN
		RAISE EXCEPTION 'POS:SHIFT_NOT_OPEN:the shift is closed';
	END IF;
	IF (r->>'customerId') IS NOT NULL
		AND NOT EXISTS (SELECT 1 FROM customers c WHERE c.tenant_id = t AND c.id = (r->>'customerId')::uuid) THEN
		RAISE EXCEPTION 'POS:NOT_FOUND:customer not found';
	END IF;

	-- A concurrent first insert of the same offline id makes this one wait, then conflict.
	INSERT INTO receipt_ids (tenant_id, id, occurred_at) VALUES (t, rid, occurred) ON CONFLICT DO NOTHING;
	IF NOT FOUND THEN
		RAISE EXCEPTION 'POS:DUPLICATE_RECEIPT:%', rid;
	END IF;

	INSERT INTO receipts (tenant_id, id, occurred_at, number, store_id, terminal_id, shift_id, customer_id,
		employee_id, subtotal, discount, tax, total, paid, change, created_at)
	VALUES (t, rid, occurred, n, sh.store_id, sh.terminal_id, v_shift, (r->>'customerId')::uuid,
		(r->>'employeeId')::uuid, (r->>'subtotal')::bigint, (r->>'discount')::bigint, (r->>'tax')::bigint,
		(r->>'total')::bigint, (r->>'paid')::bigint, (r->>'change')::bigint, (r->>'createdAt')::timestamptz);

	INSERT INTO receipt_items (tenant_id, id, occurred_at, receipt_id, line_no, product_id, barcode, name,
		quantity, price, discount, total, tax_rate, tax)
	SELECT t, x.id, occurred, rid, x."lineNo", x."productId", x.barcode, x.name, x.quantity, x.price,
		x.discount, x.total, x."taxRate", x.tax
	FROM jsonb_to_recordset(p->'items') AS x(id uuid, "lineNo" integer, "productId" uuid, barcode text, name text,
		quantity numeric, price bigint, discount bigint, total bigint, "taxRate" integer, tax bigint);

	INSERT INTO payments (tenant_id, id, occurred_at, receipt_id, shift_id, store_id, method, amount)
	SELECT t, x.id, occurred, rid, v_shift, sh.store_id, x.method, x.amount
	FROM jsonb_to_recordset(p->'payments') AS x(id uuid, method text, amount bigint);

	SELECT s.warehouse_id INTO wh FROM stores s WHERE s.tenant_id = t AND s.id = sh.store_id;
	SELECT st.allow_negative_stock INTO allow_negative FROM settings st WHERE st.tenant_id = t;
	-- One row per product in id order: a fixed lock order, so concurrent sales never deadlock.
	WITH delta AS (
		SELECT x."productId" AS product_id, sum(x.quantity) AS quantity
		FROM jsonb_to_recordset(p->'items') AS x("productId" uuid, quantity numeric)
		GROUP BY x."productId" ORDER BY x."productId"
	), changed AS (
		INSERT INTO stock AS s (tenant_id, warehouse_id, product_id, quantity)
		SELECT t, wh, d.product_id, -d.quantity FROM delta d ORDER BY d.product_id
		ON CONFLICT (tenant_id, warehouse_id, product_id)
		DO UPDATE SET quantity = s.quantity + excluded.quantity, updated_at = now()
		RETURNING s.quantity
	)
	SELECT count(*) FILTER (WHERE quantity < 0) INTO negatives FROM changed;

	INSERT INTO stock_movements (tenant_id, occurred_at, warehouse_id, product_id, type, quantity, receipt_id)
	SELECT t, occurred, wh, x."productId", 'sale', -x.quantity, rid
	FROM jsonb_to_recordset(p->'items') AS x("productId" uuid, quantity numeric);

	IF NOT coalesce(allow_negative, true) AND negatives > 0 THEN
		-- A sale dated before a count recorded since is absorbed by it (0009): what counts is the
		-- level that count left.
		IF occurred < now() - interval '1 second' THEN
			SELECT count(*) INTO negatives FROM stock s
			WHERE s.tenant_id = t AND s.warehouse_id = wh AND s.quantity < 0
				AND s.product_id IN (SELECT (x->>'productId')::uuid FROM jsonb_array_elements(p->'items') x);
		END IF;
		IF negatives > 0 THEN
			RAISE EXCEPTION 'POS:INSUFFICIENT_STOCK:not enough stock for this sale';
		END IF;
	END IF;

	body := (p->'response') || jsonb_build_object('number', n, 'storeId', sh.store_id, 'terminalId', sh.terminal_id);
	IF idem_key IS NOT NULL THEN
		UPDATE idempotency_keys SET response_status = 201, response_body = body
		WHERE tenant_id = t AND key = idem_key;
	END IF;
	RETURN jsonb_build_object('outcome', 'created', 'status', 201, 'body', body);
END
$$;
