package assistant

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Money is an exact amount in minor units (cents, fen). It travels as
// {"amount": "1234.50", "currency": "CNY"}: a decimal string, never a float, so no
// balance is ever rounded on its way through JSON.
type Money struct {
	Minor    int64
	Currency string
}

// ParseMoney parses a decimal string with at most two fraction digits.
func ParseMoney(amount, currency string) (Money, error) {
	s := strings.TrimSpace(amount)
	if s == "" {
		return Money{}, fmt.Errorf("amount is empty")
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || (hasFrac && (frac == "" || len(frac) > 2)) {
		return Money{}, fmt.Errorf("amount %q must be a decimal with at most 2 fraction digits", amount)
	}
	for _, r := range whole + frac {
		if r < '0' || r > '9' {
			return Money{}, fmt.Errorf("amount %q is not a decimal number", amount)
		}
	}
	for len(frac) < 2 {
		frac += "0"
	}
	if len(whole) > 15 {
		return Money{}, fmt.Errorf("amount %q is too large", amount)
	}
	w, _ := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	minor := w*100 + f
	if neg {
		minor = -minor
	}
	cur := strings.ToUpper(strings.TrimSpace(currency))
	if len(cur) != 3 {
		return Money{}, fmt.Errorf("currency %q must be a 3-letter ISO 4217 code", currency)
	}
	return Money{Minor: minor, Currency: cur}, nil
}

// MustMoney is ParseMoney for literals known to be valid (demo data, tests).
func MustMoney(amount, currency string) Money {
	m, err := ParseMoney(amount, currency)
	if err != nil {
		panic(err)
	}
	return m
}

// Amount renders the decimal string, e.g. "1234.50".
func (m Money) Amount() string {
	v := m.Minor
	sign := ""
	if v < 0 {
		sign, v = "-", -v
	}
	return fmt.Sprintf("%s%d.%02d", sign, v/100, v%100)
}

// IsZero reports whether m was never set.
func (m Money) IsZero() bool { return m.Minor == 0 && m.Currency == "" }

func (m Money) String() string { return m.Amount() + " " + m.Currency }

type moneyJSON struct {
	Amount   string `json:"amount"`
	Currency string `json:"currency"`
}

func (m Money) MarshalJSON() ([]byte, error) {
	return json.Marshal(moneyJSON{Amount: m.Amount(), Currency: m.Currency})
}

func (m *Money) UnmarshalJSON(b []byte) error {
	var v moneyJSON
	if err := json.Unmarshal(b, &v); err != nil {
		return fmt.Errorf(`money must be {"amount": "1234.50", "currency": "CNY"}`)
	}
	parsed, err := ParseMoney(v.Amount, v.Currency)
	if err != nil {
		return err
	}
	*m = parsed
	return nil
}
