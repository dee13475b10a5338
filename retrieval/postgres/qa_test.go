package postgres_test

import (
	"testing"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/retrieval/postgres"
	"github.com/parley-dev/parley/retrieval/retrievaltest"
)

func TestQAContract(t *testing.T) {
	testDSN(t)
	retrievaltest.RunQA(t, func(t *testing.T) (assistant.CaseStore, assistant.QAStore) {
		s := MustOpen(t, postgres.Options{Dimension: 8})
		return s, postgres.NewQA(s)
	})
}
