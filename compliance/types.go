package compliance

import (
	"fmt"
	"strings"
	"time"

	"github.com/parley-dev/parley/compliance/contactpolicy"
)

// Severity says what a violation does to a message.
type Severity string

const (
	// SeverityBlock: the message must not be sent.
	SeverityBlock Severity = "block"
	// SeverityWarn: the message may be sent, but a person should look (missing
	// disclosure, a home-visit mention).
	SeverityWarn Severity = "warn"
	// SeverityReview appears only inside rule packs: content that is lawful only
	// when true and authorised (a lawsuit notice). The gate resolves every
	// review rule to a pass or a block, so verdicts never carry it.
	SeverityReview Severity = "review"
)

// Categories of violations. The first eight are the content categories of
// the screening labels (shared/eval/LABELS.md); the rest come from the
// case context, the contact policy and the disclosure checks.
const (
	CategoryThreatViolence       = "threat_violence"
	CategoryThreatArrest         = "threat_arrest"
	CategoryThreatExposure       = "threat_exposure"
	CategoryThreatFalseLegal     = "threat_false_legal"
	CategoryInsultProfanity      = "insult_profanity"
	CategoryImpersonation        = "impersonation"
	CategoryDeception            = "deception"
	CategoryHarassment           = "harassment"
	CategoryCeaseContact         = "cease_contact"
	CategoryMissingDisclosure    = "missing_disclosure"
	CategoryThirdPartyDisclosure = "third_party_disclosure"
	CategoryContactTime          = "contact_time"
	CategoryContactFrequency     = "contact_frequency"
)

// Violation is one rule a message breaks. Start and End are rune offsets
// into the submitted text, End exclusive; a violation that concerns the
// message as a whole (a cease-contact flag, the sending time, a missing
// disclosure) has Start == End == 0 and an empty Excerpt.
type Violation struct {
	Rule        string   `json:"rule"`
	Category    string   `json:"category"`
	Severity    Severity `json:"severity"`
	Start       int      `json:"start"`
	End         int      `json:"end"`
	Excerpt     string   `json:"excerpt"`
	Explanation string   `json:"explanation"`
	Citation    string   `json:"citation"`
}

// Verdict is the result of screening one message.
type Verdict struct {
	// Allowed is false when any violation has severity block.
	Allowed bool `json:"allowed"`
	// Violations is never nil, so that it encodes as [] in JSON.
	Violations []Violation `json:"violations"`
	// SafeText is a compliant rewrite of a blocked message, when one can
	// be made: the message without its offending sentences when what is
	// left still says something and passes, otherwise a courteous template
	// in the message's language. Empty when the message is allowed or when
	// no text may be sent at all (cease contact, sending time).
	SafeText string `json:"safe_text,omitempty"`
}

// Context is what the gate knows about the case and the intended contact.
type Context struct {
	// LegalActionApproved: the creditor has decided on and authorised the
	// legal step the message mentions. Without it, lawsuit, seizure and
	// garnishment wording blocks as threat_false_legal.
	LegalActionApproved bool `json:"legal_action_approved" yaml:"legal_action_approved"`
	// CaseID is carried for audit only.
	CaseID string `json:"case_id,omitempty" yaml:"case_id"`
	// SendAt is the intended sending time; when set, the contact policy
	// (hours in the debtor's time zones, frequency caps) is checked too.
	SendAt *time.Time `json:"send_at,omitempty" yaml:"send_at"`
	// CeaseContact: the consumer asked in writing to stop contact or
	// refused to pay; only a notice that collection stops or that a
	// specific remedy will be invoked may be sent.
	CeaseContact bool `json:"cease_contact" yaml:"cease_contact"`
	// AttorneyRepresented: the consumer has an attorney; contact goes to
	// the attorney, not the consumer.
	AttorneyRepresented bool `json:"attorney_represented" yaml:"attorney_represented"`
	// Disputed: the debt is disputed and not yet verified; collection
	// pauses.
	Disputed bool `json:"disputed" yaml:"disputed"`
	// Bankruptcy: the consumer is in bankruptcy; collection stops.
	Bankruptcy bool `json:"bankruptcy" yaml:"bankruptcy"`
	// TimeBarred: the limitation period has run; suing or threatening
	// suit is never allowed.
	TimeBarred bool `json:"time_barred" yaml:"time_barred"`
	// AIGenerated: the text was written by a model and will be shown to a
	// person; CN requires a visible label.
	AIGenerated bool `json:"ai_generated" yaml:"ai_generated"`
	// FirstContact: this is the first communication with the consumer (US
	// full mini-Miranda).
	FirstContact bool `json:"first_contact" yaml:"first_contact"`
	// OptedOutChannels lists channels the consumer asked not to be used.
	OptedOutChannels []string `json:"opted_out_channels,omitempty" yaml:"opted_out_channels"`
	// DebtorTimezones are IANA zones of the debtor, for the contact policy.
	DebtorTimezones []string `json:"debtor_timezones,omitempty" yaml:"debtor_timezones"`
	// DebtorKind is "individual" (default) or "business"; consumer-only
	// disclosures are not asked of business debts.
	DebtorKind string `json:"debtor_kind,omitempty" yaml:"debtor_kind"`
	// ContactLog holds earlier contact attempts, for the frequency caps.
	ContactLog []contactpolicy.Attempt `json:"contact_log,omitempty" yaml:"-"`
}

// Request is one message to screen.
type Request struct {
	Text         string  `json:"text"`
	Jurisdiction string  `json:"jurisdiction"`
	Channel      string  `json:"channel"`
	Context      Context `json:"context"`
}

// Input error codes returned in [InputError].
const (
	CodeEmptyText               = "empty_text"
	CodeTextTooLarge            = "text_too_large"
	CodeInvalidUTF8             = "invalid_utf8"
	CodeUnsupportedJurisdiction = "unsupported_jurisdiction"
	CodeUnsupportedChannel      = "unsupported_channel"
	CodeInvalidContext          = "invalid_context"
)

// MaxTextBytes is the largest text the gate screens (64 KiB); outgoing
// messages are far shorter, and the bound keeps screening time bounded.
const MaxTextBytes = 64 << 10

// InputError reports a request the gate cannot screen. Code is one of the
// Code constants, stable for API clients; Message is for people.
type InputError struct {
	Code    string
	Message string
}

func (e *InputError) Error() string { return e.Code + ": " + e.Message }

var (
	supportedJurisdictions = []string{"US", "CN"}
	supportedChannels      = []string{"sms", "email", "chat", "call", "letter", "wechat"}
)

// SupportedJurisdictions returns the jurisdictions the gate has packs for.
func SupportedJurisdictions() []string { return append([]string(nil), supportedJurisdictions...) }

// SupportedChannels returns the channels the gate accepts.
func SupportedChannels() []string { return append([]string(nil), supportedChannels...) }

func inputErr(code, format string, args ...any) *InputError {
	return &InputError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func unsupported(code, what, got string, list []string) *InputError {
	return inputErr(code, "unsupported %s %q; supported: %s", what, got, strings.Join(list, ", "))
}
