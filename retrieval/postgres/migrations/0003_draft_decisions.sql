-- What an agent decided about a draft, and the jurisdiction an outbox message was
-- cleared for (the sender must not send it under other rules).
ALTER TABLE drafts ADD COLUMN final_text text NOT NULL DEFAULT '';
ALTER TABLE drafts ADD COLUMN decided_at timestamptz;
ALTER TABLE outbox ADD COLUMN jurisdiction text NOT NULL DEFAULT '';
