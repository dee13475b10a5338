package assistant

import (
	"slices"
	"strings"
	"time"
)

// Validate checks a case as a client sent it; the error names the first bad field.
func (c *Case) Validate() error {
	if strings.TrimSpace(c.ExternalID) == "" {
		return Invalid("external_id", "external_id is required")
	}
	if len(c.ExternalID) > 200 {
		return Invalid("external_id", "external_id is longer than 200 characters")
	}
	if strings.TrimSpace(c.Debtor.Name) == "" {
		return Invalid("debtor.name", "debtor.name is required")
	}
	if c.Debtor.Language != "" && !slices.Contains(Languages, c.Debtor.Language) {
		return Invalid("debtor.language", "debtor.language must be one of zh, en, mixed")
	}
	if c.Debtor.Kind != "" && c.Debtor.Kind != "individual" && c.Debtor.Kind != "business" {
		return Invalid("debtor.kind", "debtor.kind must be individual or business")
	}
	if c.Debtor.Timezone != "" {
		// "Local" would mean the server's zone, which says nothing about the debtor.
		if _, err := time.LoadLocation(c.Debtor.Timezone); err != nil || c.Debtor.Timezone == "Local" {
			return Invalid("debtor.timezone", "debtor.timezone %q is not an IANA time zone", c.Debtor.Timezone)
		}
	}
	for i, cp := range c.Debtor.Contacts {
		if !slices.Contains(Channels, cp.Channel) {
			return Invalid("debtor.contact_points", "contact_points[%d].channel must be one of %s", i, strings.Join(Channels, ", "))
		}
	}
	if !slices.Contains(Jurisdictions, c.Jurisdiction) {
		return Invalid("jurisdiction", "jurisdiction must be one of %s", strings.Join(Jurisdictions, ", "))
	}
	if c.Balance.Currency == "" {
		return Invalid("balance", `balance is required, e.g. {"amount": "1234.50", "currency": "CNY"}`)
	}
	if c.Balance.Minor < 0 {
		return Invalid("balance", "balance must not be negative")
	}
	if c.DaysPastDue < 0 {
		return Invalid("days_past_due", "days_past_due must not be negative")
	}
	return nil
}

// Normalize fills defaults a client may omit.
func (c *Case) Normalize() {
	if c.Debtor.Contacts == nil {
		c.Debtor.Contacts = []ContactPoint{}
	}
	if c.Debtor.Kind == "" {
		c.Debtor.Kind = "individual"
	}
	if c.Debtor.Timezone == "" {
		c.Debtor.Timezone = DefaultTimezone(c.Jurisdiction)
	}
	if c.Debtor.Language == "" {
		if c.Jurisdiction == "CN" {
			c.Debtor.Language = "zh"
		} else {
			c.Debtor.Language = "en"
		}
	}
}

// DefaultTimezone is the zone assumed for a debtor of the jurisdiction whose own zone
// is unknown; "" for a jurisdiction without one.
func DefaultTimezone(jurisdiction string) string {
	switch jurisdiction {
	case "CN":
		return "Asia/Shanghai"
	case "US":
		return "America/New_York"
	}
	return ""
}
