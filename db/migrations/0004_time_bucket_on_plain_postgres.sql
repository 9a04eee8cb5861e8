-- Grafana's PostgreSQL datasource is provisioned with `timescaledb: true`, so its $__timeGroup macro groups
-- time with time_bucket(). On plain PostgreSQL the same dashboards run on this stand-in, which buckets like
-- TimescaleDB's time_bucket (origin Monday 2000-01-03 UTC) for widths up to weeks.
DO $migration$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'timescaledb') THEN
    CREATE FUNCTION time_bucket(bucket_width interval, ts timestamptz) RETURNS timestamptz
      LANGUAGE sql IMMUTABLE PARALLEL SAFE
      RETURN date_bin(bucket_width, ts, TIMESTAMPTZ '2000-01-03 00:00:00+00');
  END IF;
END
$migration$;
