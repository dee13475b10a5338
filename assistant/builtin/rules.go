package builtin

import (
	"math"

	"github.com/parley-dev/parley/assistant"
)

// The rules turn lexicon evidence into labels. They follow ../shared/eval/LABELS.md:
// the lexicons say what a phrase means; these rules say how meanings combine.

// intentThreshold is the confidence from which an intent is reported.
const intentThreshold = 0.5

func idx(name string) int { return intentIndex[name] }

var (
	iPromise   = idx(assistant.IntentPromiseToPay)
	iPaid      = idx(assistant.IntentPaymentMade)
	iHardship  = idx(assistant.IntentHardship)
	iPlan      = idx(assistant.IntentPlanRequest)
	iDispute   = idx(assistant.IntentDispute)
	iCease     = idx(assistant.IntentCeaseContact)
	iComplaint = idx(assistant.IntentComplaint)
	iCallback  = idx(assistant.IntentCallbackRequest)
	iWrong     = idx(assistant.IntentWrongParty)
	iLawyer    = idx(assistant.IntentRepresented)
	iAbusive   = idx(assistant.IntentAbusive)
	iQuestion  = idx(assistant.IntentQuestion)
)

func decideIntents(f *features) []assistant.IntentScore {
	conf := f.intent
	// "No promises", "尽量吧": a hedged commitment is not a promise. Frames weigh
	// hedges per sentence; this catches promises stated by a cue alone.
	if f.tags.has(tagHedge) && !f.framePromise {
		conf[iPromise] = 0
	}
	// Periodic terms ("50 a month", "每月还五百") with an amount propose a plan;
	// accepting the plan the agent offered is a promise, not a request for one.
	if f.terms[iPlan] > 0 && f.amounts {
		if f.tags.has(tagAcceptPlan) {
			conf[iPromise] = math.Max(conf[iPromise], 0.8)
		} else {
			conf[iPlan] = 1 - (1-conf[iPlan])*(1-f.terms[iPlan])
		}
	}
	// A question that only names a topic ("can you knock some off the total?") is
	// not a question about the balance when the message asks for a plan, disputes
	// the charge or commits to pay.
	if !f.realQuestion && (conf[iPlan] >= intentThreshold || conf[iDispute] >= intentThreshold || conf[iPromise] >= intentThreshold) {
		conf[iQuestion] = 0
	}
	// Accepting what the agent offered is not asking for something else.
	if f.tags.has(tagAcceptPlan) {
		conf[iPlan] = math.Min(conf[iPlan], 0.3)
	}
	// A refusal to pay cancels a promise found in the same message ("Sure, I'll
	// pay, right after I win the lottery"), unless what is refused is a charge: "I
	// won't pay the collection fee, I'll pay the original $420" still promises.
	if f.tags.has(tagRefusal) && conf[iDispute] < intentThreshold {
		conf[iPromise] = 0
	}
	out := []assistant.IntentScore{}
	for i, v := range conf {
		if v >= intentThreshold {
			out = append(out, assistant.IntentScore{Name: assistant.Intents[i], Confidence: round2(v)})
		}
	}
	sortIntents(out)
	return out
}

func has(xs []assistant.IntentScore, i int) bool {
	for _, x := range xs {
		if x.Name == assistant.Intents[i] {
			return true
		}
	}
	return false
}

// Sentiment: the sum of cue polarities (intensified, negated), plus what the
// intents and the segment imply about affect, plus emphasis. Sarcasm cues carry
// their own negative polarity and, being longer, silence the praise they contain;
// where there is sarcasm, no praise in the message counts.
func decideSentiment(f *features, intents []assistant.IntentScore, seg int) assistant.Sentiment {
	s := f.sent
	if f.tags.has(tagSarcasm) {
		s = f.sentNeg
	}
	if has(intents, iAbusive) {
		s -= 0.6
	}
	if has(intents, iComplaint) {
		s -= 0.4
	}
	if has(intents, iDispute) {
		s -= 0.2
	}
	// Stopping contact is said in anger more often than not; sending it to a
	// lawyer is not.
	if has(intents, iCease) && !f.redirectOnly {
		s -= 0.2
	}
	// A firm commitment softens the distress of a hardship plea ("laid off, but
	// 150 next Tuesday" reads as matter-of-fact).
	if has(intents, iPromise) {
		s += 0.25
	}
	switch seg {
	case segHighRisk:
		s -= 0.25
	case segResistant:
		s -= 0.15
	}
	if f.shouting {
		s -= 0.5
	}
	// Emphasis strengthens whatever the message already says.
	if f.exclaim >= 2 || f.queries >= 2 {
		s *= 1.3
	}
	label := "neutral"
	switch {
	case s >= 0.35:
		label = "positive"
	case s <= -0.35:
		label = "negative"
	}
	return assistant.Sentiment{Label: label, Score: round2(math.Tanh(s))}
}

// Segment: evidence from cues plus what intents imply, then LABELS.md's order:
// signs of deliberate default first, then hostility, then commitment, and
// non-committal as the default.
func decideSegment(f *features, intents []assistant.IntentScore) (assistant.Segment, int, float64) {
	ev := f.segment
	in := func(i int) bool { return has(intents, i) }
	if in(iPromise) {
		ev[segWilling] += 1.2
	}
	if in(iPaid) {
		ev[segWilling] += 1.0
	}
	if in(iPlan) {
		ev[segWilling] += 0.9
	}
	if in(iHardship) {
		ev[segWait] += 0.3
	}
	if in(iCallback) {
		ev[segWait] += 0.4
	}
	if in(iQuestion) {
		ev[segWait] += 0.3
	}
	if in(iWrong) {
		ev[segWait] += 0.5
	}
	if in(iAbusive) {
		ev[segResistant] += 1.0
	}
	if in(iComplaint) {
		ev[segResistant] += 1.0
	}
	if in(iDispute) {
		ev[segResistant] += 0.8
	}
	if in(iCease) {
		ev[segResistant] += 0.8
		// "WhatsApp me, don't phone": choosing a channel without hostility is not
		// pushing back.
		if in(iCallback) && !f.tags.has(tagHostile) && f.sentNeg > -0.3 && !in(iAbusive) && !in(iComplaint) {
			ev[segResistant] -= 0.8
			ev[segWait] += 0.3
		}
	}
	if f.tags.has(tagHostile) || f.shouting {
		ev[segResistant] += 0.5
	}
	if f.tags.has(tagPayHow) {
		ev[segWilling] += 0.8
	}
	// An unverifiable or shifting story about a payment or about who they are.
	if f.tags.has(tagInconsistent) && (in(iPaid) || in(iWrong)) {
		ev[segHighRisk] += 1.0
	}
	// Not the debtor, but curious how much "she" owes.
	if in(iWrong) && in(iQuestion) {
		ev[segHighRisk] += 1.0
	}
	// A refusal tied to a dispute or a condition is resistance, not walking away.
	if f.tags.has(tagRefusal) && (in(iDispute) || f.tags.has(tagConditional)) {
		ev[segResistant] += ev[segHighRisk]
		ev[segHighRisk] = 0
	}
	if ev[segHighRisk] >= 1 {
		return assistant.SegmentHighRisk, segHighRisk, round2(0.1 / ev[segHighRisk])
	}
	best, bestV := segWait, ev[segWait]+0.3
	for _, s := range []int{segWilling, segResistant} {
		if ev[s] > bestV {
			best, bestV = s, ev[s]
		}
	}
	score := map[int]float64{segWilling: 0.85, segWait: 0.5, segResistant: 0.25}[best]
	return assistant.Segments[best], best, score
}
