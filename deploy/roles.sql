-- APOC's two PostgreSQL roles and its database (README "The database's two roles").
--
-- Run once, by a database administrator (a superuser or a role with CREATEROLE
-- and CREATEDB), before the first migrate:
--
--   psql -v ON_ERROR_STOP=1 -v owner=apoc_owner -v owner_password='...' \
--        -v app=apoc_app -v app_password='...' -v database=apoc -f deploy/roles.sql
--
-- Then, as the owner: `manage.py migrate` and `manage.py grant_app_role apoc_app`
-- (again after every upgrade's migrate). The app servers and the cron jobs
-- connect as the application's role.

-- The owner: owns the database and its tables, migrates, grants. Never used by
-- the app servers.
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEROLE', :'owner', :'owner_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'owner') \gexec

-- The application's role: reads and writes the tables, appends to the access
-- log, owns nothing, so cannot disable the log's triggers.
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT',
              :'app', :'app_password')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app') \gexec

SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'owner')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'database') \gexec

REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"database" TO :"app";

\connect :"database"
-- Only the owner creates tables (PostgreSQL 15 and later do this by default).
ALTER SCHEMA public OWNER TO :"owner";
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
