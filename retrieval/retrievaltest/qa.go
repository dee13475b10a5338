package retrievaltest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/compliance"
)

// QAOpener returns a fresh case store and QA store sharing one backing store.
type QAOpener func(t *testing.T) (assistant.CaseStore, assistant.QAStore)

// RunQA runs the transcript and QA flag contract.
func RunQA(t *testing.T, open QAOpener) {
	ctx := context.Background()
	started := time.Date(2026, 11, 20, 10, 30, 0, 0, time.UTC)
	one := func() *int { n := 1; return &n }
	newTranscript := func(caseID string) *assistant.Transcript {
		return &assistant.Transcript{
			CaseID: caseID, Channel: "call", Jurisdiction: "US", Direction: "outbound", StartedAt: started,
			Turns: []assistant.Turn{
				{Speaker: assistant.SpeakerAgent, Text: "Hi, this is Acme, a debt collector.", At: started},
				{Speaker: assistant.SpeakerDebtor, Text: "Stop calling me."},
			},
			Result: assistant.TranscriptResult{
				Turns: []assistant.TurnResult{
					{Index: 0, Speaker: assistant.SpeakerAgent, Verdict: &compliance.Verdict{Allowed: true, Violations: []compliance.Violation{}}},
					{Index: 1, Speaker: assistant.SpeakerDebtor, Analysis: &assistant.Analysis{Language: "en", Intents: []assistant.IntentScore{{Name: assistant.IntentCeaseContact, Confidence: 0.9}}}},
				},
				Findings: []assistant.Finding{{Rule: "us.frame.arrest", Category: "threat_arrest", Severity: assistant.FindingBlock, Turn: one(), Start: 3, End: 9, Excerpt: "arrest", Penalty: 25}},
				Score:    75,
			},
		}
	}
	newFlag := func() *assistant.Flag {
		return &assistant.Flag{
			Reasons: []assistant.FlagReason{{Rule: "us.frame.arrest", Category: "threat_arrest", Severity: assistant.FindingBlock, Turn: one(), Explanation: "threat"}},
			Spans:   []assistant.FlagSpan{{Turn: 1, Start: 3, End: 9, Excerpt: "arrest"}},
		}
	}
	create := func(t *testing.T, qa assistant.QAStore, caseID string, flagged bool) (*assistant.Transcript, *assistant.Flag) {
		t.Helper()
		var f *assistant.Flag
		if flagged {
			f = newFlag()
		}
		tr, fl, err := qa.CreateTranscript(ctx, newTranscript(caseID), f)
		if err != nil {
			t.Fatal(err)
		}
		return tr, fl
	}

	t.Run("CreateAndGetTranscript", func(t *testing.T) {
		cases, qa := open(t)
		c := mustUpsert(t, cases, NewCase("qa-case"))
		tr, fl := create(t, qa, c.ID, false)
		if tr.ID == "" || tr.CreatedAt.IsZero() || fl != nil || tr.FlagID != "" {
			t.Fatalf("created %+v, flag %+v", tr, fl)
		}
		got, err := qa.GetTranscript(ctx, tr.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.CaseID != c.ID || got.Channel != "call" || got.Direction != "outbound" || !got.StartedAt.Equal(started) ||
			len(got.Turns) != 2 || got.Turns[1].Text != "Stop calling me." || !got.Turns[0].At.Equal(started) ||
			got.Result.Score != 75 || len(got.Result.Turns) != 2 || got.Result.Turns[0].Verdict == nil ||
			!got.Result.Turns[1].Analysis.HasIntent(assistant.IntentCeaseContact) ||
			len(got.Result.Findings) != 1 || got.Result.Findings[0].Turn == nil || *got.Result.Findings[0].Turn != 1 {
			t.Fatalf("round trip lost fields: %+v", got)
		}
		_, err = qa.GetTranscript(ctx, "tr_missing")
		wantCode(t, err, assistant.ENOTFOUND)
	})
	t.Run("TranscriptWithoutCase", func(t *testing.T) {
		_, qa := open(t)
		tr, fl := create(t, qa, "", true)
		if fl.CaseID != "" || fl.TranscriptID != tr.ID {
			t.Fatalf("flag %+v for transcript %+v", fl, tr)
		}
		got, err := qa.GetTranscript(ctx, tr.ID)
		if err != nil || got.CaseID != "" || got.FlagID != fl.ID {
			t.Fatalf("get: %+v %v", got, err)
		}
	})
	t.Run("FlagIsCreatedOpenWithTheTranscript", func(t *testing.T) {
		cases, qa := open(t)
		c := mustUpsert(t, cases, NewCase("qa-flag"))
		tr, fl := create(t, qa, c.ID, true)
		if fl == nil || fl.ID == "" || fl.Status != assistant.FlagOpen || fl.TranscriptID != tr.ID || fl.CaseID != c.ID ||
			tr.FlagID != fl.ID || fl.ResolvedAt != nil || fl.CreatedAt.IsZero() {
			t.Fatalf("flag %+v transcript %+v", fl, tr)
		}
		got, err := qa.GetFlag(ctx, fl.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Reasons) != 1 || got.Reasons[0].Turn == nil || *got.Reasons[0].Turn != 1 || len(got.Spans) != 1 || got.Spans[0].Excerpt != "arrest" {
			t.Fatalf("flag lost fields: %+v", got)
		}
		_, err = qa.GetFlag(ctx, "flag_missing")
		wantCode(t, err, assistant.ENOTFOUND)
	})
	t.Run("ResolveOnce", func(t *testing.T) {
		_, qa := open(t)
		_, fl := create(t, qa, "", true)
		r, err := qa.ResolveFlag(ctx, fl.ID, assistant.FlagConfirmed, "agent coached")
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != assistant.FlagConfirmed || r.Decision != assistant.FlagConfirmed || r.Note != "agent coached" || r.ResolvedAt == nil {
			t.Fatalf("resolved %+v", r)
		}
		_, err = qa.ResolveFlag(ctx, fl.ID, assistant.FlagDismissed, "")
		wantCode(t, err, assistant.ECONFLICT)
		_, err = qa.ResolveFlag(ctx, "flag_missing", assistant.FlagDismissed, "")
		wantCode(t, err, assistant.ENOTFOUND)
		_, fl2 := create(t, qa, "", true)
		_, err = qa.ResolveFlag(ctx, fl2.ID, "maybe", "")
		wantCode(t, err, assistant.EINVALID)
		got, _ := qa.GetFlag(ctx, fl.ID)
		if got.Status != assistant.FlagConfirmed || got.Note != "agent coached" {
			t.Fatalf("after conflict: %+v", got)
		}
	})
	t.Run("ConcurrentResolutionsDecideOnce", func(t *testing.T) {
		_, qa := open(t)
		_, fl := create(t, qa, "", true)
		var (
			wg sync.WaitGroup
			mu sync.Mutex
			ok int
		)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := qa.ResolveFlag(ctx, fl.ID, assistant.FlagDismissed, ""); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if ok != 1 {
			t.Fatalf("%d resolutions succeeded, want 1", ok)
		}
	})
	t.Run("ListFlagsByStatusInPages", func(t *testing.T) {
		_, qa := open(t)
		var ids []string
		for i := 0; i < 5; i++ {
			_, fl := create(t, qa, "", true)
			ids = append(ids, fl.ID)
		}
		create(t, qa, "", false) // no flag
		if _, err := qa.ResolveFlag(ctx, ids[1], assistant.FlagDismissed, "fine"); err != nil {
			t.Fatal(err)
		}
		p1, err := qa.ListFlags(ctx, assistant.FlagFilter{Status: assistant.FlagOpen, Limit: 2})
		if err != nil || len(p1.Items) != 2 || p1.NextCursor == "" || p1.Items[0].ID != ids[0] || p1.Items[1].ID != ids[2] {
			t.Fatalf("page 1: %+v %v", p1, err)
		}
		// Resolving a flag already listed does not shift the next page.
		if _, err := qa.ResolveFlag(ctx, ids[0], assistant.FlagConfirmed, ""); err != nil {
			t.Fatal(err)
		}
		p2, err := qa.ListFlags(ctx, assistant.FlagFilter{Status: assistant.FlagOpen, Cursor: p1.NextCursor, Limit: 2})
		if err != nil || len(p2.Items) != 2 || p2.NextCursor != "" || p2.Items[0].ID != ids[3] || p2.Items[1].ID != ids[4] {
			t.Fatalf("page 2: %+v %v", p2, err)
		}
		// An empty status means open, in every store.
		byDefault, err := qa.ListFlags(ctx, assistant.FlagFilter{})
		if err != nil || len(byDefault.Items) != 3 || byDefault.NextCursor != "" ||
			byDefault.Items[0].ID != ids[2] || byDefault.Items[1].ID != ids[3] || byDefault.Items[2].ID != ids[4] {
			t.Fatalf("empty status (open): %+v %v", byDefault, err)
		}
		byDefault, err = qa.ListFlags(ctx, assistant.FlagFilter{Limit: 1})
		if err != nil || len(byDefault.Items) != 1 || byDefault.NextCursor == "" || byDefault.Items[0].ID != ids[2] {
			t.Fatalf("empty status (open), first page: %+v %v", byDefault, err)
		}
		all, err := qa.ListFlags(ctx, assistant.FlagFilter{Status: assistant.FlagAll})
		if err != nil || len(all.Items) != 5 || all.NextCursor != "" {
			t.Fatalf("all: %+v %v", all, err)
		}
		dismissed, err := qa.ListFlags(ctx, assistant.FlagFilter{Status: assistant.FlagDismissed})
		if err != nil || len(dismissed.Items) != 1 || dismissed.Items[0].ID != ids[1] || dismissed.Items[0].Note != "fine" {
			t.Fatalf("dismissed: %+v %v", dismissed, err)
		}
		empty, err := qa.ListFlags(ctx, assistant.FlagFilter{Status: assistant.FlagConfirmed, Cursor: p1.NextCursor})
		if err != nil || len(empty.Items) != 0 || empty.Items == nil {
			t.Fatalf("confirmed after cursor: %+v %v", empty, err)
		}
		_, err = qa.ListFlags(ctx, assistant.FlagFilter{Status: assistant.FlagOpen, Cursor: "bogus!"})
		wantCode(t, err, assistant.EINVALID)
		_, err = qa.ListFlags(ctx, assistant.FlagFilter{Status: "closed"})
		wantCode(t, err, assistant.EINVALID)
	})
	t.Run("StoredValuesAreCopies", func(t *testing.T) {
		_, qa := open(t)
		tr, fl := create(t, qa, "", true)
		tr.Result.Findings[0].Excerpt = "changed"
		tr.Turns[0].Text = "changed"
		*fl.Reasons[0].Turn = 99
		fl.Spans[0].Excerpt = "changed"
		got, _ := qa.GetTranscript(ctx, tr.ID)
		gf, _ := qa.GetFlag(ctx, fl.ID)
		if got.Result.Findings[0].Excerpt != "arrest" || got.Turns[0].Text == "changed" || *gf.Reasons[0].Turn != 1 || gf.Spans[0].Excerpt != "arrest" {
			t.Fatalf("store shares memory with callers: %+v %+v", got, gf)
		}
	})
}
