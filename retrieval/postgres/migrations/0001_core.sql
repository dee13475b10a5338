-- Cases, their immutable history, and history embeddings.
--
-- The vector extension lives wherever it was first created (normally public); the
-- tables live in the first schema of search_path.
CREATE EXTENSION IF NOT EXISTS vector;

-- Facts about this database that the code checks at start-up, e.g. the embedding
-- dimension and model the stored vectors were made with.
CREATE TABLE parley_meta (
    key        text        PRIMARY KEY,
    value      text        NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cases (
    id              text        PRIMARY KEY,
    -- Creation order, for listing and cursors.
    seq             bigserial   NOT NULL UNIQUE,
    external_id     text        NOT NULL UNIQUE,
    -- name, language, timezone, kind and contact_points, as in the API.
    debtor          jsonb       NOT NULL,
    jurisdiction    text        NOT NULL,
    creditor        text        NOT NULL DEFAULT '',
    balance_minor   bigint      NOT NULL,
    currency        text        NOT NULL,
    due_date        timestamptz,
    days_past_due   integer     NOT NULL DEFAULT 0,
    flags           jsonb       NOT NULL DEFAULT '{}',
    -- Derived by Parley. NULL jsonb means "never set", which an upsert from a client
    -- keeps, unlike an empty list.
    segment         text        NOT NULL DEFAULT '',
    risk_tier       text        NOT NULL DEFAULT '',
    segment_reasons jsonb,
    promises        jsonb,
    plan            jsonb,
    -- Seq of the case's latest event: appending an event increments it, which also
    -- locks the row, so concurrent writers get distinct, gapless seqs.
    last_event_seq  bigint      NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);
CREATE INDEX cases_jurisdiction_seq ON cases (jurisdiction, seq);
CREATE INDEX cases_segment_seq ON cases (segment, seq);

CREATE TABLE events (
    id           text        PRIMARY KEY,
    case_id      text        NOT NULL REFERENCES cases (id),
    seq          bigint      NOT NULL,
    kind         text        NOT NULL,
    direction    text        NOT NULL DEFAULT '',
    channel      text        NOT NULL DEFAULT '',
    text         text        NOT NULL DEFAULT '',
    amount_minor bigint,
    currency     text,
    at           timestamptz NOT NULL,
    created_at   timestamptz NOT NULL,
    analysis     jsonb,
    UNIQUE (case_id, seq)
);

-- Events are immutable: corrections are new events.
CREATE FUNCTION parley_events_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are immutable: record a correction as a new event'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE TRIGGER events_immutable BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION parley_events_immutable();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION parley_events_immutable();

-- One embedding per event (events without text have none). case_id and seq repeat
-- the event's so that per-case search reads this table alone. The column gets its
-- dimension from parley_set_embedding_dimension, called once by the migration runner.
--
-- vec_key is a hash of the vector. Collection histories repeat texts word for word
-- ("好的", "who is this?", templates), and thousands of identical vectors wreck an
-- HNSW graph: their neighbour lists fill with each other and the whole cluster
-- becomes unreachable. So only one row per distinct vector is canonical, only
-- canonical rows are in the HNSW index, and cross-case search goes from the nearest
-- distinct vectors to the events that share them through vec_key.
CREATE TABLE event_embeddings (
    event_id  text    PRIMARY KEY REFERENCES events (id),
    case_id   text    NOT NULL,
    seq       bigint  NOT NULL,
    embedding vector  NOT NULL,
    vec_key   bigint  NOT NULL,
    canonical boolean NOT NULL DEFAULT false,
    model     text    NOT NULL DEFAULT ''
);
CREATE INDEX event_embeddings_case ON event_embeddings (case_id);
-- (vec_key, canonical): "is this vector stored yet" reads one entry, not every
-- duplicate; the fan-out from a vector to its events uses the prefix.
CREATE INDEX event_embeddings_vec_key ON event_embeddings (vec_key, canonical);

-- The most repeated vectors, searched exactly beside the HNSW index. One vector
-- standing for thousands of events ("好的", "who is this?") is an isolated point in
-- the graph that a search drawn into a dense cluster of near-identical templates does
-- not reach, and missing it misses every case that holds it. Refreshed by Import,
-- Reembed and RefreshPopular.
CREATE TABLE popular_vectors (
    vec_key   bigint PRIMARY KEY,
    embedding vector NOT NULL,
    events    bigint NOT NULL
);

-- parley_ensure_hnsw creates the cross-case HNSW index when it is missing (a bulk
-- import drops it and builds it once at the end).
CREATE FUNCTION parley_ensure_hnsw() RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('event_embeddings_hnsw') IS NOT NULL THEN
        RETURN false;
    END IF;
    CREATE INDEX event_embeddings_hnsw ON event_embeddings USING hnsw (embedding vector_cosine_ops) WHERE canonical;
    RETURN true;
END
$$;

-- parley_set_embedding_dimension fixes the embedding column's dimension on an empty
-- table and records it. Kept in SQL so that no Go code builds DDL from strings.
CREATE FUNCTION parley_set_embedding_dimension(dim integer) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF dim IS NULL OR dim < 1 OR dim > 2000 THEN
        RAISE EXCEPTION 'embedding dimension % is outside 1..2000 (the HNSW limit)', dim;
    END IF;
    IF EXISTS (SELECT 1 FROM event_embeddings) THEN
        RAISE EXCEPTION 'event_embeddings is not empty: change the dimension with parley reembed';
    END IF;
    DROP INDEX IF EXISTS event_embeddings_hnsw;
    EXECUTE format('ALTER TABLE event_embeddings ALTER COLUMN embedding TYPE vector(%s)', dim);
    PERFORM parley_ensure_hnsw();
    INSERT INTO parley_meta (key, value) VALUES ('embedding_dimension', dim::text)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now();
END
$$;

-- Re-embedding writes new vectors into event_embeddings_next and swaps the tables at
-- the end, so history search keeps working while it runs. begin keeps a next table of
-- the same dimension, so an interrupted run resumes.
CREATE FUNCTION parley_reembed_begin(dim integer) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    have integer;
BEGIN
    IF dim IS NULL OR dim < 1 OR dim > 2000 THEN
        RAISE EXCEPTION 'embedding dimension % is outside 1..2000 (the HNSW limit)', dim;
    END IF;
    SELECT a.atttypmod INTO have FROM pg_attribute a
        WHERE a.attrelid = to_regclass('event_embeddings_next') AND a.attname = 'embedding';
    IF have IS NOT NULL AND have <> dim THEN
        DROP TABLE event_embeddings_next;
    END IF;
    IF to_regclass('event_embeddings_next') IS NULL THEN
        EXECUTE format('CREATE TABLE event_embeddings_next (
            event_id  text    PRIMARY KEY REFERENCES events (id),
            case_id   text    NOT NULL,
            seq       bigint  NOT NULL,
            embedding vector(%s) NOT NULL,
            vec_key   bigint  NOT NULL,
            canonical boolean NOT NULL DEFAULT false,
            model     text    NOT NULL DEFAULT %L)', dim, '');
        CREATE INDEX event_embeddings_next_vec_key ON event_embeddings_next (vec_key, canonical);
    END IF;
END
$$;

-- parley_reembed_index indexes the next table before the swap, outside the lock.
CREATE FUNCTION parley_reembed_index() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('event_embeddings_next_case') IS NULL THEN
        CREATE INDEX event_embeddings_next_case ON event_embeddings_next (case_id);
    END IF;
    IF to_regclass('event_embeddings_next_hnsw') IS NULL THEN
        CREATE INDEX event_embeddings_next_hnsw ON event_embeddings_next USING hnsw (embedding vector_cosine_ops) WHERE canonical;
    END IF;
END
$$;

-- parley_reembed_finish swaps the tables; the caller holds a lock on event_embeddings
-- and has copied every event written meanwhile.
CREATE FUNCTION parley_reembed_finish(dim integer, model text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    DROP TABLE event_embeddings;
    ALTER TABLE event_embeddings_next RENAME TO event_embeddings;
    ALTER INDEX event_embeddings_next_pkey RENAME TO event_embeddings_pkey;
    ALTER INDEX event_embeddings_next_case RENAME TO event_embeddings_case;
    ALTER INDEX event_embeddings_next_vec_key RENAME TO event_embeddings_vec_key;
    ALTER INDEX event_embeddings_next_hnsw RENAME TO event_embeddings_hnsw;
    ALTER TABLE event_embeddings RENAME CONSTRAINT event_embeddings_next_event_id_fkey TO event_embeddings_event_id_fkey;
    INSERT INTO parley_meta (key, value) VALUES ('embedding_dimension', dim::text), ('embedding_model', model)
        ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now();
END
$$;
