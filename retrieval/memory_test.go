package retrieval_test

import (
	"testing"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/retrieval"
	"github.com/parley-dev/parley/retrieval/retrievaltest"
)

func TestMemoryStoreContract(t *testing.T) {
	retrievaltest.Run(t, func(t *testing.T) assistant.CaseStore { return retrieval.NewMemoryStore() })
}

func TestMemoryDraftsContract(t *testing.T) {
	retrievaltest.RunDrafts(t, func(t *testing.T) (assistant.CaseStore, assistant.DraftStore) {
		return retrieval.NewMemoryStore(), retrieval.NewMemoryDrafts()
	})
}

func TestMemoryQAContract(t *testing.T) {
	retrievaltest.RunQA(t, func(t *testing.T) (assistant.CaseStore, assistant.QAStore) {
		return retrieval.NewMemoryStore(), retrieval.NewMemoryQA()
	})
}
