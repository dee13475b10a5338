// Package demo seeds a store with bilingual demo cases written in the voice of the
// collections playbook, so a newcomer sees Parley work with no setup.
package demo

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/parley-dev/parley/assistant"
)

//go:embed cases.json
var casesJSON []byte

type demoEvent struct {
	Kind        string           `json:"kind"`
	Direction   string           `json:"direction"`
	Channel     string           `json:"channel"`
	Text        string           `json:"text"`
	Amount      *assistant.Money `json:"amount"`
	DaysAgo     int              `json:"days_ago"`
	AtDaysAhead *int             `json:"at_days_ahead"` // promises: due date relative to now
}

type demoCase struct {
	Case struct {
		ExternalID   string           `json:"external_id"`
		Jurisdiction string           `json:"jurisdiction"`
		Creditor     string           `json:"creditor"`
		Debtor       assistant.Debtor `json:"debtor"`
		Balance      assistant.Money  `json:"balance"`
		DueDate      string           `json:"due_date"`
		DaysPastDue  int              `json:"days_past_due"`
	} `json:"case"`
	Events []demoEvent `json:"events"`
}

// Seed stores the demo cases through the service, so their messages are analysed and
// embedded like any others. Event times are relative to now.
func Seed(ctx context.Context, svc *assistant.Service, now time.Time) (int, error) {
	var cases []demoCase
	if err := json.Unmarshal(casesJSON, &cases); err != nil {
		return 0, fmt.Errorf("demo: %w", err)
	}
	for _, dc := range cases {
		due, err := time.Parse(time.DateOnly, dc.Case.DueDate)
		if err != nil {
			return 0, fmt.Errorf("demo %s: %w", dc.Case.ExternalID, err)
		}
		c, _, err := svc.UpsertCase(ctx, &assistant.Case{
			ExternalID: dc.Case.ExternalID, Jurisdiction: dc.Case.Jurisdiction, Creditor: dc.Case.Creditor,
			Debtor: dc.Case.Debtor, Balance: dc.Case.Balance, DueDate: due, DaysPastDue: dc.Case.DaysPastDue,
		})
		if err != nil {
			return 0, fmt.Errorf("demo %s: %w", dc.Case.ExternalID, err)
		}
		for _, de := range dc.Events {
			at := now.AddDate(0, 0, -de.DaysAgo)
			if de.AtDaysAhead != nil {
				at = now.AddDate(0, 0, *de.AtDaysAhead)
			}
			_, err := svc.AppendEvent(ctx, &assistant.Event{
				CaseID: c.ID, Kind: assistant.EventKind(de.Kind), Direction: de.Direction, Channel: de.Channel,
				Text: de.Text, Amount: de.Amount, At: at.UTC(),
			})
			if err != nil {
				return 0, fmt.Errorf("demo %s event: %w", dc.Case.ExternalID, err)
			}
		}
	}
	return len(cases), nil
}
