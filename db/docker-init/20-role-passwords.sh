#!/bin/sh
# First start of the docker-compose TimescaleDB (after db/roles.sql): the schema owner, and every role's
# password from the container's environment. psql reads them with \getenv, so they never appear in a
# command line or a file.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<'SQL'
\getenv owner_password MIGRATION_DB_PASSWORD
\getenv writer_password ENGINE_DB_PASSWORD
\getenv reader_password GRAFANA_DB_PASSWORD
SELECT 'CREATE ROLE strategy_engine LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'strategy_engine') \gexec
ALTER ROLE strategy_engine WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
ALTER ROLE engine_writer PASSWORD :'writer_password';
ALTER ROLE grafana_reader PASSWORD :'reader_password';
-- The owner of the database owns its public schema (PostgreSQL 15+), where the migrations create tables.
ALTER DATABASE strategy_engine OWNER TO strategy_engine;
SQL
