-- Each read API replica remembers the revisions it read until PostgreSQL says they may
-- have changed (LISTEN trakr_revisions), so a 304 or a cached answer's check runs no
-- statement while nothing changes. Every statement that writes either revision table
-- notifies, delivered when its transaction commits; PostgreSQL folds a transaction's equal
-- notifications into one. Whoever writes (projector, retention, a migration, a person
-- with psql) is seen the same way.
CREATE FUNCTION notify_revisions_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('trakr_revisions', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER rollup_revisions_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON rollup_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_revisions_changed();

CREATE TRIGGER org_revisions_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON org_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION notify_revisions_changed();
