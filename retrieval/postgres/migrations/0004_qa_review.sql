-- Transcript review (POST /v1/transcripts) and the QA flag queue.
-- seq gives flags a stable creation order for keyset pages: a reviewer resolving
-- flags between two pages must not make the second page skip any.
ALTER TABLE qa_transcripts ADD COLUMN direction text NOT NULL DEFAULT 'outbound';
ALTER TABLE qa_transcripts ADD COLUMN flag_id text NOT NULL DEFAULT '';
ALTER TABLE qa_flags ADD COLUMN seq bigserial;
CREATE UNIQUE INDEX qa_flags_seq ON qa_flags (seq);
CREATE INDEX qa_flags_status_seq ON qa_flags (status, seq);
CREATE INDEX qa_transcripts_case ON qa_transcripts (case_id, created_at);
