// Package retrieval persists cases and their history and finds the events that matter
// for a query: the in-memory store (the embedded default, seeded with demo cases), the
// builtin embedder, and history search that blends similarity with recency. The
// PostgreSQL store lives in retrieval/postgres; both pass retrieval/retrievaltest.
package retrieval
