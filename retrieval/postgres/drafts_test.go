package postgres_test

import (
	"testing"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/retrieval/postgres"
	"github.com/parley-dev/parley/retrieval/retrievaltest"
)

func TestDraftsContract(t *testing.T) {
	testDSN(t)
	retrievaltest.RunDrafts(t, func(t *testing.T) (assistant.CaseStore, assistant.DraftStore) {
		s := MustOpen(t, postgres.Options{Dimension: 8})
		return s, postgres.NewDrafts(s)
	})
}
