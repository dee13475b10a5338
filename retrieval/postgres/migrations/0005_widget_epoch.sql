-- Revocable chat-widget links: widget_epoch counts the revocations of a case's links
-- (NULL: never revoked, epoch 0). A widget token carries the epoch it was issued in
-- and opens the chat only while it equals the case's. Written only by
-- RevokeWidgetLinks: a client upsert and UpdateDerived leave it alone.
ALTER TABLE cases ADD COLUMN widget_epoch bigint;
