-- Tables for the drafting, sending, audit and QA features. Deliberately simple and
-- forward-compatible: the issues that implement those features add columns and
-- indexes in later migrations. The case store itself keeps promises and plan in
-- cases (promises, plan); these tables are for the scheduler and reporting that need
-- them as rows.

CREATE TABLE promises (
    id           text        PRIMARY KEY,
    case_id      text        NOT NULL REFERENCES cases (id),
    event_id     text        REFERENCES events (id),
    amount_minor bigint      NOT NULL,
    currency     text        NOT NULL,
    due          timestamptz NOT NULL,
    status       text        NOT NULL DEFAULT 'open', -- open | kept | broken
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX promises_case ON promises (case_id);
CREATE INDEX promises_open_due ON promises (due) WHERE status = 'open';

CREATE TABLE plans (
    id           text        PRIMARY KEY,
    case_id      text        NOT NULL REFERENCES cases (id),
    status       text        NOT NULL, -- proposed | active | completed | broken
    installments jsonb       NOT NULL DEFAULT '[]',
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plans_case ON plans (case_id);

CREATE TABLE drafts (
    id          text        PRIMARY KEY,
    case_id     text        NOT NULL REFERENCES cases (id),
    status      text        NOT NULL, -- pending_review | approved | rejected
    channel     text        NOT NULL DEFAULT '',
    language    text        NOT NULL DEFAULT '',
    goal        text        NOT NULL DEFAULT '',
    text        text        NOT NULL DEFAULT '',
    engine      text        NOT NULL DEFAULT '',
    analysis    jsonb,
    suggestions jsonb,
    citations   jsonb,
    verdict     jsonb,
    trace       jsonb,
    reason      text        NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX drafts_case ON drafts (case_id, created_at);

-- Messages approved for sending; a worker claims rows with FOR UPDATE SKIP LOCKED.
CREATE TABLE outbox (
    id           bigserial   PRIMARY KEY,
    draft_id     text        REFERENCES drafts (id),
    case_id      text        NOT NULL REFERENCES cases (id),
    channel      text        NOT NULL,
    text         text        NOT NULL,
    status       text        NOT NULL DEFAULT 'pending', -- pending | sent | failed
    attempts     integer     NOT NULL DEFAULT 0,
    last_error   text        NOT NULL DEFAULT '',
    available_at timestamptz NOT NULL DEFAULT now(),
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz
);
CREATE INDEX outbox_pending ON outbox (available_at) WHERE status = 'pending';

-- Parley's own actions (drafts, verdicts, approvals) beyond what case history shows.
CREATE TABLE audit_events (
    id         bigserial   PRIMARY KEY,
    case_id    text,
    actor      text        NOT NULL DEFAULT '',
    action     text        NOT NULL,
    subject_id text        NOT NULL DEFAULT '',
    detail     jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_events_case ON audit_events (case_id, created_at);

CREATE TABLE qa_transcripts (
    id           text        PRIMARY KEY,
    case_id      text,
    channel      text        NOT NULL DEFAULT '',
    jurisdiction text        NOT NULL DEFAULT '',
    started_at   timestamptz,
    turns        jsonb       NOT NULL DEFAULT '[]',
    result       jsonb,
    score        double precision,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE qa_flags (
    id            text        PRIMARY KEY,
    transcript_id text        REFERENCES qa_transcripts (id),
    case_id       text,
    status        text        NOT NULL DEFAULT 'open', -- open | confirmed | dismissed
    reasons       jsonb,
    spans         jsonb,
    decision      text        NOT NULL DEFAULT '',
    note          text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    resolved_at   timestamptz
);
CREATE INDEX qa_flags_status ON qa_flags (status, created_at);
