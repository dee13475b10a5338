package compliance_test

import "testing"

// scopeGapCases pin the scope handling of the engine: questions whose body
// is itself a threat, politeness conditionals limited to their clause,
// contrastive "not the X", and courts named (not impersonated) in an
// authorised notice. Written for this package, not taken from any set.
var scopeGapCases = []struct {
	block, approved bool
	jurisdiction    string
	text            string
}{
	// Questions: a threat asked as a question is still a threat; an
	// information-seeking question or reported question is not.
	{true, false, "US", "Do you want your boss to hear about this?"},
	{true, false, "US", "How would your kids feel if they found out you don't pay your debts?"},
	{true, false, "US", "Do you want to go to jail over this?"},
	{true, false, "CN", "你想让你爸妈知道吗？"},
	{false, false, "US", "You asked whether we will sue you. We will not."},
	{false, false, "US", "Would you like a payment plan?"},

	// Politeness conditionals reach their own clause only.
	{true, false, "US", "Turn your phone off if you want, we'll just call your mom."},
	{false, false, "US", "If you want, we can send the letter to your attorney instead."},
	{false, false, "US", "If you'd like a relative to handle this, please send us written permission first."},
	{false, false, "CN", "如果您愿意，我们可以为您安排分期。"},

	// Contrastive "not the X" does not negate what follows it.
	{true, false, "US", "You owe $4,800, not the $2,400 on your last statement, due to collection costs."},
	{false, false, "US", "We will never call your boss, not once, and never your family."},

	// A negation right after "if"/"unless" negates the condition, not the
	// threat after it; it still negates when we are its subject or when
	// it negates a wish.
	{true, false, "US", "If that $860 isn't in by tonight somebody is coming over to break your legs."},
	{true, false, "US", "If your payment doesn't clear by noon somebody will smash your windows."},
	{false, false, "US", "If you'd prefer we not contact your family, reply NO and we won't."},
	{false, false, "US", "If you would rather not be called at your office, reply OFFICE."},
	{false, false, "US", "If you call us today we will not contact your employer."},

	// An authorised notice may report a court's judgment; a sender header
	// naming a court is impersonation whatever the context.
	{false, true, "CN", "法院已作出判决，债权人已申请强制执行；如您愿意，仍可与我们协商分期履行。"},
	{true, true, "CN", "【法院】您的账户涉及逾期，请立即回电。"},
	{true, false, "CN", "我是法院执行庭的，你马上还钱。"},
}

func TestScopeGaps(t *testing.T) {
	g := mustGate(t)
	for _, c := range scopeGapCases {
		v := check(t, g, c.jurisdiction, c.text, contextWith(c.approved))
		if v.Allowed == c.block {
			t.Errorf("%s %q: allowed=%v, want block=%v; violations %v", c.jurisdiction, c.text, v.Allowed, c.block, blocking(v))
		}
	}
}
