package assistant

import (
	"context"
	"time"
)

// Intent names (eval/LABELS.md).
const (
	IntentPromiseToPay    = "promise_to_pay"
	IntentPaymentMade     = "payment_made"
	IntentHardship        = "hardship"
	IntentPlanRequest     = "plan_request"
	IntentDispute         = "dispute"
	IntentCeaseContact    = "cease_contact"
	IntentComplaint       = "complaint"
	IntentCallbackRequest = "callback_request"
	IntentWrongParty      = "wrong_party"
	IntentRepresented     = "represented"
	IntentAbusive         = "abusive"
	IntentQuestion        = "question"
)

// Intents lists every intent the analysers report.
var Intents = []string{
	IntentPromiseToPay, IntentPaymentMade, IntentHardship, IntentPlanRequest,
	IntentDispute, IntentCeaseContact, IntentComplaint, IntentCallbackRequest,
	IntentWrongParty, IntentRepresented, IntentAbusive, IntentQuestion,
}

// Sentiment is the debtor's affect in one message.
type Sentiment struct {
	Label string  `json:"label"` // negative | neutral | positive
	Score float64 `json:"score"` // [-1, 1]
}

// Willingness is the cooperation segment shown by one message.
type Willingness struct {
	Segment Segment `json:"segment"`
	Score   float64 `json:"score"` // [0, 1], 1 = fully cooperative
}

// IntentScore is one detected intent.
type IntentScore struct {
	Name       string  `json:"name"`
	Confidence float64 `json:"confidence"`
}

// Entities are amounts and dates mentioned in a message.
type Entities struct {
	Dates   []string `json:"dates"`   // RFC 3339 dates resolved against the reference time
	Amounts []string `json:"amounts"` // decimal strings
	// Promise is the structured promise when the message commits to an amount or date.
	Promise *PromiseEntity `json:"promise,omitempty"`
}

// PromiseEntity is what a promise to pay commits to; either part may be missing.
type PromiseEntity struct {
	Amount string    `json:"amount,omitempty"`
	Date   time.Time `json:"date,omitempty"`
}

// Analysis is what a debtor's message means. The JSON is /v1/analyze's response.
type Analysis struct {
	Language    string        `json:"language"`
	Sentiment   Sentiment     `json:"sentiment"`
	Willingness Willingness   `json:"willingness"`
	Intents     []IntentScore `json:"intents"`
	Entities    Entities      `json:"entities"`
	Engine      string        `json:"engine"`
}

// HasIntent reports whether the analysis found the named intent.
func (a *Analysis) HasIntent(name string) bool {
	if a == nil {
		return false
	}
	for _, i := range a.Intents {
		if i.Name == name {
			return true
		}
	}
	return false
}

// AnalyzeRequest is one message to analyse.
type AnalyzeRequest struct {
	Text     string
	Language string // "auto" or empty to detect
	// Reference is "now" for resolving relative dates; Timezone is the debtor's.
	Reference time.Time
	Timezone  string
}

// Analyzer reads a debtor's message. Implementations: assistant/builtin (offline,
// the default) and assistant/openai (falls back to builtin on any failure).
type Analyzer interface {
	Analyze(ctx context.Context, req AnalyzeRequest) (*Analysis, error)
}
