// Package retrievaltest is the contract every assistant.CaseStore must pass: the memory
// store and the PostgreSQL store run the same table, as upspin runs one suite over all
// of its implementations.
package retrievaltest

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/parley-dev/parley/assistant"
)

// Opener returns a fresh, empty store for one test and arranges its cleanup.
type Opener func(t *testing.T) assistant.CaseStore

// Run runs the whole contract against stores made by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s assistant.CaseStore)
	}{
		{"UpsertCreatesThenUpdatesByExternalID", testUpsertIdempotent},
		{"UpsertRejectsInvalidCase", testUpsertInvalid},
		{"GetUnknownCaseIsNotFound", testGetNotFound},
		{"ListCasesPagesInCreationOrder", testListCasesPaging},
		{"ListCasesFilters", testListCasesFilter},
		{"ListCasesRejectsBadCursor", testListBadCursor},
		{"UpdateDerivedKeepsClientFields", testUpdateDerived},
		{"RevokeWidgetLinksAdvancesTheEpoch", testRevokeWidgetLinks},
		{"EventsKeepOrderAndFields", testEventsOrder},
		{"EventsAreIsolatedBetweenCases", testEventIsolation},
		{"EventsAreImmutableCopies", testEventImmutable},
		{"AppendEventToUnknownCaseIsNotFound", testAppendNotFound},
		{"SearchEventsRanksBySimilarity", testSearchEvents},
		{"ConcurrentWriters", testConcurrentWriters},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

// NewCase returns a valid case for tests.
func NewCase(externalID string) *assistant.Case {
	return &assistant.Case{
		ExternalID:   externalID,
		Debtor:       assistant.Debtor{Name: "Test Debtor", Language: "en", Timezone: "America/Chicago", Kind: "individual", Contacts: []assistant.ContactPoint{{Channel: "sms", Value: "+15550100"}}},
		Jurisdiction: "US",
		Creditor:     "Acme Card",
		Balance:      assistant.MustMoney("1234.50", "USD"),
		DueDate:      time.Date(2026, 12, 10, 0, 0, 0, 0, time.UTC),
		DaysPastDue:  12,
	}
}

func mustUpsert(t *testing.T, s assistant.CaseStore, c *assistant.Case) *assistant.Case {
	t.Helper()
	got, _, err := s.UpsertCase(context.Background(), c)
	if err != nil {
		t.Fatalf("UpsertCase(%s): %v", c.ExternalID, err)
	}
	return got
}

func mustAppend(t *testing.T, s assistant.CaseStore, e *assistant.Event) *assistant.Event {
	t.Helper()
	got, err := s.AppendEvent(context.Background(), e)
	if err != nil {
		t.Fatalf("AppendEvent: %v", err)
	}
	return got
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := assistant.ErrorCode(err); got != code {
		t.Fatalf("error = %v (code %q), want code %q", err, got, code)
	}
}

func testUpsertIdempotent(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	first, created, err := s.UpsertCase(ctx, NewCase("ext-1"))
	if err != nil || !created {
		t.Fatalf("first upsert: created=%v err=%v", created, err)
	}
	if first.ID == "" || first.CreatedAt.IsZero() {
		t.Fatalf("stored case lacks id or created_at: %+v", first)
	}
	upd := NewCase("ext-1")
	upd.Balance = assistant.MustMoney("999.99", "USD")
	upd.Flags.Disputed = true
	second, created, err := s.UpsertCase(ctx, upd)
	if err != nil || created {
		t.Fatalf("second upsert: created=%v err=%v", created, err)
	}
	if second.ID != first.ID || !second.CreatedAt.Equal(first.CreatedAt) {
		t.Fatalf("update changed identity: %s/%v -> %s/%v", first.ID, first.CreatedAt, second.ID, second.CreatedAt)
	}
	got, err := s.GetCase(ctx, first.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Balance.Amount() != "999.99" || !got.Flags.Disputed {
		t.Fatalf("update not stored: balance %s flags %+v", got.Balance, got.Flags)
	}
	if got.Debtor.Timezone != "America/Chicago" || len(got.Debtor.Contacts) != 1 || !got.DueDate.Equal(upd.DueDate) {
		t.Fatalf("fields lost in round trip: %+v", got)
	}
	page, err := s.ListCases(ctx, assistant.CaseFilter{})
	if err != nil || len(page.Items) != 1 {
		t.Fatalf("list after two upserts of one case: %d items, err %v", len(page.Items), err)
	}
}

func testUpsertInvalid(t *testing.T, s assistant.CaseStore) {
	c := NewCase("")
	_, _, err := s.UpsertCase(context.Background(), c)
	wantCode(t, err, assistant.EINVALID)
}

func testGetNotFound(t *testing.T, s assistant.CaseStore) {
	_, err := s.GetCase(context.Background(), "case_missing")
	wantCode(t, err, assistant.ENOTFOUND)
}

func testListCasesPaging(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	var ids []string
	for i := 0; i < 7; i++ {
		ids = append(ids, mustUpsert(t, s, NewCase(fmt.Sprintf("page-%d", i))).ID)
	}
	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		page, err := s.ListCases(ctx, assistant.CaseFilter{Limit: 3, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) > 3 {
			t.Fatalf("page of %d items, limit 3", len(page.Items))
		}
		for _, c := range page.Items {
			got = append(got, c.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if fmt.Sprint(got) != fmt.Sprint(ids) {
		t.Fatalf("paged ids = %v, want creation order %v", got, ids)
	}
}

func testListCasesFilter(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	us := mustUpsert(t, s, NewCase("f-us"))
	cn := NewCase("f-cn")
	cn.Jurisdiction, cn.Balance = "CN", assistant.MustMoney("20000", "CNY")
	cnStored := mustUpsert(t, s, cn)
	cnStored.Segment = assistant.SegmentResistant
	if err := s.UpdateDerived(ctx, cnStored); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		filter assistant.CaseFilter
		want   []string
	}{
		{assistant.CaseFilter{Jurisdiction: "US"}, []string{us.ID}},
		{assistant.CaseFilter{Jurisdiction: "CN"}, []string{cnStored.ID}},
		{assistant.CaseFilter{Segment: assistant.SegmentResistant}, []string{cnStored.ID}},
		{assistant.CaseFilter{Segment: assistant.SegmentWilling}, nil},
	}
	for _, tt := range tests {
		page, err := s.ListCases(ctx, tt.filter)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, c := range page.Items {
			got = append(got, c.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) {
			t.Errorf("filter %+v: got %v, want %v", tt.filter, got, tt.want)
		}
	}
}

func testListBadCursor(t *testing.T, s assistant.CaseStore) {
	_, err := s.ListCases(context.Background(), assistant.CaseFilter{Cursor: "not-a-cursor!"})
	wantCode(t, err, assistant.EINVALID)
	c := mustUpsert(t, s, NewCase("bc"))
	_, err = s.ListEvents(context.Background(), c.ID, "###", 10)
	wantCode(t, err, assistant.EINVALID)
	_, err = s.ListEvents(context.Background(), c.ID, "cDkyMjMzNzIwMzY4NTQ3NzU4MDc", 10) // "p" + max int64
	wantCode(t, err, assistant.EINVALID)
}

func testUpdateDerived(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	c := mustUpsert(t, s, NewCase("derived"))
	c.Segment = assistant.SegmentWilling
	c.RiskTier = assistant.RiskLow
	c.SegmentReasons = []string{"promised to pay"}
	c.Promises = []assistant.Promise{{Amount: assistant.MustMoney("100", "USD"), Due: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), Status: "open"}}
	c.Plan = &assistant.Plan{Status: "proposed", Installments: []assistant.Installment{{Due: time.Date(2027, 1, 10, 0, 0, 0, 0, time.UTC), Amount: assistant.MustMoney("617.25", "USD")}}}
	c.Balance = assistant.MustMoney("1", "USD") // must not be stored by UpdateDerived
	c.Flags.CeaseContact = true                 // client-owned: must not be stored either
	if err := s.UpdateDerived(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetCase(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Segment != assistant.SegmentWilling || got.RiskTier != assistant.RiskLow || len(got.SegmentReasons) != 1 {
		t.Fatalf("derived fields not stored: %+v", got)
	}
	if len(got.Promises) != 1 || got.Promises[0].Amount.Amount() != "100.00" || got.Plan == nil || got.Plan.Installments[0].Amount.Amount() != "617.25" {
		t.Fatalf("promises/plan not stored: %+v %+v", got.Promises, got.Plan)
	}
	if got.Balance.Amount() != "1234.50" || got.Flags.CeaseContact {
		t.Fatalf("UpdateDerived changed client fields: balance %s, flags %+v", got.Balance, got.Flags)
	}
	// A client update keeps what Parley derived.
	mustUpsert(t, s, NewCase("derived"))
	got, _ = s.GetCase(ctx, c.ID)
	if got.Segment != assistant.SegmentWilling || got.Plan == nil {
		t.Fatalf("client upsert dropped derived fields: %+v", got)
	}
	wantCode(t, s.UpdateDerived(ctx, &assistant.Case{ID: "case_missing"}), assistant.ENOTFOUND)
}

func testRevokeWidgetLinks(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	in := NewCase("revoke")
	in.WidgetEpoch = 7 // a caller cannot set it: only RevokeWidgetLinks does
	c := mustUpsert(t, s, in)
	other := mustUpsert(t, s, NewCase("revoke-other"))
	if c.WidgetEpoch != 0 {
		t.Fatalf("new case has widget epoch %d, want 0", c.WidgetEpoch)
	}
	got, err := s.RevokeWidgetLinks(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != c.ID || got.WidgetEpoch != 1 || got.ExternalID != "revoke" {
		t.Fatalf("RevokeWidgetLinks returned %+v, want the case with epoch 1", got)
	}
	epoch := func(id string) int64 {
		t.Helper()
		g, err := s.GetCase(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return g.WidgetEpoch
	}
	if e := epoch(c.ID); e != 1 {
		t.Fatalf("stored epoch %d, want 1", e)
	}
	// Neither a client update nor derived fields reset it.
	mustUpsert(t, s, NewCase("revoke"))
	if e := epoch(c.ID); e != 1 {
		t.Fatalf("client upsert reset the widget epoch to %d", e)
	}
	upd := *c
	upd.Segment, upd.RiskTier, upd.WidgetEpoch = assistant.SegmentWilling, assistant.RiskLow, 0
	if err := s.UpdateDerived(ctx, &upd); err != nil {
		t.Fatal(err)
	}
	if e := epoch(c.ID); e != 1 {
		t.Fatalf("UpdateDerived reset the widget epoch to %d", e)
	}
	page, err := s.ListCases(ctx, assistant.CaseFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range page.Items {
		if want := map[string]int64{c.ID: 1, other.ID: 0}[it.ID]; it.WidgetEpoch != want {
			t.Fatalf("listed %s with epoch %d, want %d", it.ID, it.WidgetEpoch, want)
		}
	}
	// Concurrent revocations each advance it; other cases are untouched.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.RevokeWidgetLinks(ctx, c.ID); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if e := epoch(c.ID); e != 9 {
		t.Fatalf("epoch after 8 concurrent revocations %d, want 9", e)
	}
	if e := epoch(other.ID); e != 0 {
		t.Fatalf("revoking one case changed another's epoch to %d", e)
	}
	_, err = s.RevokeWidgetLinks(ctx, "case_missing")
	wantCode(t, err, assistant.ENOTFOUND)
}

func event(caseID string, i int) *assistant.Event {
	amt := assistant.MustMoney("50.00", "USD")
	return &assistant.Event{
		CaseID: caseID, Kind: assistant.EventMessage, Direction: "inbound", Channel: "sms",
		Text:   fmt.Sprintf("message %d", i),
		At:     time.Date(2026, 11, 1, 10, i, 0, 0, time.UTC),
		Amount: &amt,
	}
}

func testEventsOrder(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	c := mustUpsert(t, s, NewCase("ev"))
	var want []string
	for i := 0; i < 5; i++ {
		e := mustAppend(t, s, event(c.ID, i))
		if e.ID == "" || e.Seq != int64(i+1) || e.CreatedAt.IsZero() {
			t.Fatalf("stored event %d: id %q seq %d created %v", i, e.ID, e.Seq, e.CreatedAt)
		}
		want = append(want, e.ID)
	}
	var got []string
	cursor := ""
	for {
		page, err := s.ListEvents(ctx, c.ID, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range page.Items {
			got = append(got, e.ID)
		}
		if page.NextCursor == "" {
			break
		}
		cursor = page.NextCursor
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("events = %v, want %v", got, want)
	}
	page, _ := s.ListEvents(ctx, c.ID, "", 1)
	e := page.Items[0]
	if e.Text != "message 0" || e.Direction != "inbound" || e.Channel != "sms" || e.Amount == nil || e.Amount.Amount() != "50.00" || !e.At.Equal(time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("event fields lost in round trip: %+v", e)
	}
}

func testEventIsolation(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	a := mustUpsert(t, s, NewCase("iso-a"))
	b := mustUpsert(t, s, NewCase("iso-b"))
	mustAppend(t, s, event(a.ID, 1))
	mustAppend(t, s, event(a.ID, 2))
	eb := event(b.ID, 3)
	eb.Embedding = unit(8, 0)
	mustAppend(t, s, eb)
	pa, _ := s.ListEvents(ctx, a.ID, "", 10)
	pb, _ := s.ListEvents(ctx, b.ID, "", 10)
	if len(pa.Items) != 2 || len(pb.Items) != 1 || pb.Items[0].Text != "message 3" {
		t.Fatalf("cases leak events: a=%d b=%d", len(pa.Items), len(pb.Items))
	}
	hits, err := s.SearchEvents(ctx, a.ID, unit(8, 0), 5)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range hits {
		if h.Event.CaseID != a.ID {
			t.Fatalf("search on case a returned an event of %s", h.Event.CaseID)
		}
	}
}

func testEventImmutable(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	c := mustUpsert(t, s, NewCase("imm"))
	in := event(c.ID, 1)
	stored := mustAppend(t, s, in)
	in.Text = "changed after append"
	stored.Text = "changed on the returned copy"
	page, _ := s.ListEvents(ctx, c.ID, "", 10)
	if page.Items[0].Text != "message 1" {
		t.Fatalf("stored event changed to %q", page.Items[0].Text)
	}
}

func testAppendNotFound(t *testing.T, s assistant.CaseStore) {
	_, err := s.AppendEvent(context.Background(), event("case_missing", 1))
	wantCode(t, err, assistant.ENOTFOUND)
	_, err = s.ListEvents(context.Background(), "case_missing", "", 10)
	wantCode(t, err, assistant.ENOTFOUND)
	bad := event("case_missing", 1)
	bad.Kind = "gossip"
	_, err = s.AppendEvent(context.Background(), bad)
	wantCode(t, err, assistant.EINVALID)
}

// unit returns a dim-dimensional unit vector pointing mostly along axis i.
func unit(dim, i int) []float32 {
	v := make([]float32, dim)
	for j := range v {
		v[j] = 0.1
	}
	v[i] = 1
	var n float64
	for _, x := range v {
		n += float64(x * x)
	}
	for j := range v {
		v[j] = float32(float64(v[j]) / math.Sqrt(n))
	}
	return v
}

func testSearchEvents(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	c := mustUpsert(t, s, NewCase("search"))
	var ids []string
	for i := 0; i < 4; i++ {
		e := event(c.ID, i)
		e.Embedding = unit(8, i)
		ids = append(ids, mustAppend(t, s, e).ID)
	}
	mustAppend(t, s, event(c.ID, 9)) // no embedding: never returned by search
	hits, err := s.SearchEvents(ctx, c.ID, unit(8, 2), 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 2 || hits[0].Event.ID != ids[2] {
		t.Fatalf("top hit = %v, want %s first of 2", hits, ids[2])
	}
	if hits[0].Similarity < 0.99 || hits[1].Similarity >= hits[0].Similarity {
		t.Fatalf("similarities not ranked: %.3f, %.3f", hits[0].Similarity, hits[1].Similarity)
	}
	_, err = s.SearchEvents(ctx, "case_missing", unit(8, 0), 2)
	wantCode(t, err, assistant.ENOTFOUND)
}

func testConcurrentWriters(t *testing.T, s assistant.CaseStore) {
	ctx := context.Background()
	c := mustUpsert(t, s, NewCase("conc"))
	const writers, each = 8, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*2)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				if _, err := s.AppendEvent(ctx, event(c.ID, w*each+i)); err != nil {
					errs <- err
				}
				if _, _, err := s.UpsertCase(ctx, NewCase(fmt.Sprintf("conc-%d", w))); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	page, err := s.ListEvents(ctx, c.ID, "", 200)
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Items) != writers*each {
		t.Fatalf("%d events stored, want %d", len(page.Items), writers*each)
	}
	seen := map[int64]bool{}
	for _, e := range page.Items {
		if seen[e.Seq] {
			t.Fatalf("duplicate seq %d", e.Seq)
		}
		seen[e.Seq] = true
	}
	cases, _ := s.ListCases(ctx, assistant.CaseFilter{Limit: 200})
	if len(cases.Items) != writers+1 {
		t.Fatalf("%d cases, want %d (upserts by external_id must not duplicate)", len(cases.Items), writers+1)
	}
}
