package retrievaltest

import (
	"context"
	"sync"
	"testing"

	"github.com/parley-dev/parley/assistant"
	"github.com/parley-dev/parley/compliance"
)

// DraftOpener returns a fresh case store and draft store sharing one backing store.
type DraftOpener func(t *testing.T) (assistant.CaseStore, assistant.DraftStore)

// RunDrafts runs the draft and outbox contract.
func RunDrafts(t *testing.T, open DraftOpener) {
	gate, err := compliance.NewGate()
	if err != nil {
		t.Fatal(err)
	}
	clear := func(t *testing.T, text string) compliance.Cleared {
		t.Helper()
		c, v, err := gate.Clear(compliance.Request{Text: text, Jurisdiction: "US", Channel: "sms"})
		if err != nil || !v.Allowed || !c.Valid() {
			t.Fatalf("test text not cleared: %v %+v", err, v)
		}
		return c
	}
	newDraft := func(t *testing.T, cases assistant.CaseStore, drafts assistant.DraftStore) *assistant.Draft {
		t.Helper()
		c := mustUpsert(t, cases, NewCase("draft-case"))
		d, err := drafts.CreateDraft(context.Background(), &assistant.Draft{
			CaseID: c.ID, Status: assistant.DraftPending, Text: "Hi, this is Acme, a debt collector. Can we help? Reply STOP to opt out.",
			Language: "en", Channel: "sms", Engine: "builtin", Citations: []string{"evt_1"},
			Suggestions: []assistant.Suggestion{{Action: assistant.ActionOfferPlan, Detail: "3 payments", Why: "willing"}},
			Verdict:     compliance.Verdict{Allowed: true, Violations: []compliance.Violation{}},
		})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ctx := context.Background()
	t.Run("CreateAndGet", func(t *testing.T) {
		cases, drafts := open(t)
		d := newDraft(t, cases, drafts)
		if d.ID == "" || d.CreatedAt.IsZero() {
			t.Fatalf("draft lacks id or created_at: %+v", d)
		}
		got, err := drafts.GetDraft(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Text != d.Text || got.Status != assistant.DraftPending || len(got.Citations) != 1 || len(got.Suggestions) != 1 || !got.Verdict.Allowed {
			t.Fatalf("round trip lost fields: %+v", got)
		}
		_, err = drafts.GetDraft(ctx, "draft_missing")
		wantCode(t, err, assistant.ENOTFOUND)
	})
	t.Run("ApproveOnceIntoOutbox", func(t *testing.T) {
		cases, drafts := open(t)
		d := newDraft(t, cases, drafts)
		final := "Hi, this is Acme, a debt collector. Would 3 payments help? Reply STOP to opt out."
		approved, item, err := drafts.ApproveDraft(ctx, d.ID, clear(t, final))
		if err != nil {
			t.Fatal(err)
		}
		if approved.Status != assistant.DraftApproved || approved.FinalText != final || item.Text != final || item.DraftID != d.ID || item.Channel != "sms" {
			t.Fatalf("approve: %+v %+v", approved, item)
		}
		_, _, err = drafts.ApproveDraft(ctx, d.ID, clear(t, final))
		wantCode(t, err, assistant.ECONFLICT)
		_, err = drafts.RejectDraft(ctx, d.ID, "too late")
		wantCode(t, err, assistant.ECONFLICT)
		page, err := drafts.ListOutbox(ctx, "", 10)
		if err != nil || len(page.Items) != 1 || page.Items[0].Text != final {
			t.Fatalf("outbox: %+v %v", page, err)
		}
	})
	t.Run("OnlyClearedTextEntersTheOutbox", func(t *testing.T) {
		cases, drafts := open(t)
		d := newDraft(t, cases, drafts)
		var forged compliance.Cleared // the zero value is not cleared
		_, _, err := drafts.ApproveDraft(ctx, d.ID, forged)
		wantCode(t, err, assistant.EINVALID)
		page, _ := drafts.ListOutbox(ctx, "", 10)
		if len(page.Items) != 0 {
			t.Fatalf("forged message reached the outbox: %+v", page.Items)
		}
	})
	t.Run("Reject", func(t *testing.T) {
		cases, drafts := open(t)
		d := newDraft(t, cases, drafts)
		r, err := drafts.RejectDraft(ctx, d.ID, "tone")
		if err != nil || r.Status != assistant.DraftRejected || r.RejectReason != "tone" {
			t.Fatalf("reject: %+v %v", r, err)
		}
		_, err = drafts.RejectDraft(ctx, "draft_missing", "x")
		wantCode(t, err, assistant.ENOTFOUND)
	})
	t.Run("ConcurrentApprovalsEnqueueOnce", func(t *testing.T) {
		cases, drafts := open(t)
		d := newDraft(t, cases, drafts)
		msg := clear(t, d.Text)
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, _, err := drafts.ApproveDraft(ctx, d.ID, msg); err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		page, _ := drafts.ListOutbox(ctx, "", 50)
		if ok != 1 || len(page.Items) != 1 {
			t.Fatalf("%d approvals succeeded, %d outbox items; want 1 and 1", ok, len(page.Items))
		}
	})
	t.Run("OutboxPages", func(t *testing.T) {
		cases, drafts := open(t)
		for i := 0; i < 3; i++ {
			d := newDraft(t, cases, drafts)
			if _, _, err := drafts.ApproveDraft(ctx, d.ID, clear(t, d.Text)); err != nil {
				t.Fatal(err)
			}
		}
		p1, err := drafts.ListOutbox(ctx, "", 2)
		if err != nil || len(p1.Items) != 2 || p1.NextCursor == "" {
			t.Fatalf("page 1: %+v %v", p1, err)
		}
		p2, err := drafts.ListOutbox(ctx, p1.NextCursor, 2)
		if err != nil || len(p2.Items) != 1 || p2.NextCursor != "" {
			t.Fatalf("page 2: %+v %v", p2, err)
		}
		_, err = drafts.ListOutbox(ctx, "bogus!", 2)
		wantCode(t, err, assistant.EINVALID)
	})
}
