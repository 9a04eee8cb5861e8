-- Run once per cluster by an administrator (services/services.sh and the docker-compose stack do it):
-- the roles the migrations grant to. Passwords are set separately, from the environment, never here.
SELECT 'CREATE ROLE engine_writer LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'engine_writer') \gexec
SELECT 'CREATE ROLE grafana_reader LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'grafana_reader') \gexec
