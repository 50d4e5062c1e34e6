-- The post office's reconciliation (reconcile.Run) as one full outer join
-- in PostgreSQL, for bench/region.sh. Every business day is reconciled
-- against that day's host journal, as `postoffice reconcile --date D
-- --host-journal host-D.jsonl` does, all days in one statement.
--
-- traces: what the registry derived from the imported station files
--         (region export); days: the accepted days and their entry ranges;
-- host:   every host journal line (region generate), with its journal file.

\set ON_ERROR_STOP on
\timing on

DROP TABLE IF EXISTS result;

CREATE TABLE result AS
WITH
-- What the journals say about each trace, per journal (= business day):
-- how many times the host decided it, its last word, the first send's
-- amount and refund, and where it first appears.
hs AS (
	SELECT to_date(substr(journal, 6, 8), 'YYYYMMDD') AS day, trace,
	       min(station) AS station, min(seq) AS seq,
	       count(*) FILTER (WHERE event = 'send') AS sends,
	       (array_agg(status ORDER BY line DESC))[1] AS status,
	       (array_agg(amount ORDER BY line) FILTER (WHERE event = 'send'))[1] AS amount,
	       (array_agg(refund ORDER BY line) FILTER (WHERE event = 'send'))[1] AS refund,
	       min(line) AS line
	FROM host
	GROUP BY 1, 2
),
j AS (
	SELECT coalesce(t.day, hs.day) AS day, coalesce(t.trace, hs.trace) AS trace,
	       coalesce(t.station, hs.station) AS station, hs.seq AS host_seq,
	       t.service, t.state, t.amount AS st_amount, t.refund AS st_refund,
	       hs.sends, hs.status AS h_status, hs.amount AS h_amount, hs.refund AS h_refund,
	       t.trace IS NOT NULL AS at_station, hs.trace IS NOT NULL AS at_host
	FROM traces t
	FULL OUTER JOIN hs ON hs.trace = t.trace AND hs.day = t.day
),
-- A host trace with no station trace of its day: which accepted day, if
-- any, holds its entry number. Only those rows get a join key: with the
-- station alone as the key, every row would be tried against all 365
-- days of its station (800 M comparisons, 45 s, for a year).
keyed AS (
	SELECT j.*, CASE WHEN NOT at_station THEN station END AS lost
	FROM j
),
covered AS (
	SELECT k.*, d.day AS file_day, s.station IS NOT NULL AS enrolled
	FROM keyed k
	LEFT JOIN days d ON d.station = k.lost AND k.host_seq BETWEEN d.first AND d.last
	LEFT JOIN (SELECT DISTINCT station FROM days) s ON s.station = k.lost
)
SELECT day, trace, station, service, state, st_amount, h_status, h_amount,
	CASE
	WHEN NOT at_station THEN
		CASE WHEN file_day = day THEN 'missing_at_station'
		     WHEN file_day IS NOT NULL THEN 'covered'           -- another day's trace: not this day's business
		     WHEN enrolled THEN 'no_file'
		     ELSE 'unknown_station' END
	WHEN sends > 1 THEN 'duplicate'
	WHEN state IN ('queued', 'waitlisted') THEN 'queued_not_confirmed'
	WHEN NOT at_host THEN
		CASE WHEN state IN ('approved', 'confirmed') THEN 'missing_at_host' ELSE 'matched' END
	WHEN h_status = 'approved' THEN
		CASE WHEN state IN ('approved', 'confirmed') THEN
			CASE WHEN st_amount IS DISTINCT FROM h_amount THEN 'amount_mismatch'
			     WHEN service = 'ticket_cancel' AND st_refund IS DISTINCT FROM h_refund THEN 'amount_mismatch'
			     ELSE 'matched' END
		     WHEN state IN ('reversed', 'reversal_due', 'open') THEN 'reversed_but_approved'
		     ELSE 'status_mismatch' END
	WHEN state IN ('approved', 'confirmed') AND h_status = 'reversed' THEN 'reversed_but_approved'
	WHEN state IN ('approved', 'confirmed') THEN 'status_mismatch'
	ELSE 'matched'
	END AS kind
FROM covered;

SELECT kind, count(*) FROM result GROUP BY kind ORDER BY kind;
