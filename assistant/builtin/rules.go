package builtin

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

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
	// "I plan to pay but I can't give you a date": the wish contradicted is no
	// promise unless a sum or a date was named ("50 Friday, but I can't do more").
	if f.inability && !f.amounts && !f.dated {
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
	// Courtesy ("sorry for the late reply", "kindly cease all contact") with no
	// hostility is businesslike: stopping contact said that way is not angry, and
	// where nothing negative is said it tips the message a little positive.
	// "Please" is not courtesy here: it opens curt imperatives ("please stop").
	hostile := f.tags.has(tagHostile) || f.tags.has(tagSarcasm) || f.shouting || has(intents, iAbusive) || has(intents, iComplaint)
	courteous := f.polite && !hostile
	// Stopping contact is said in anger more often than not; sending it to a
	// lawyer is not.
	if has(intents, iCease) && !f.redirectOnly && !courteous {
		s -= 0.2
	}
	if courteous && f.sentNeg == 0 {
		s += 0.08
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
		// A curt "nah" refuses without anger.
		if !courteous && !f.dismissive {
			s -= 0.15
		}
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
	// Someone who is not the debtor telling where the debtor went ("he's overseas")
	// informs; the evasion would be the debtor's, and is not shown. Asking what
	// "he" owes or a shifting story is handled above.
	if in(iWrong) && !in(iQuestion) && !f.tags.has(tagInconsistent) && !f.tags.has(tagRefusal) {
		ev[segWait] += ev[segHighRisk]
		ev[segHighRisk] = 0
	}
	// A refusal tied to a dispute or a condition is resistance, not walking away.
	if f.tags.has(tagRefusal) && (in(iDispute) || f.tags.has(tagConditional)) {
		ev[segResistant] += ev[segHighRisk]
		ev[segHighRisk] = 0
	}
	// A curt reply that only says no ("nah", "lol no", "not happening") pushes
	// back; it says nothing of never paying. A commitment in it still counts.
	if f.dismissive && !in(iPromise) && !in(iPaid) && !in(iPlan) {
		ev[segResistant] += 1.0 + ev[segHighRisk]
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

// Structural markers read from the words of a message rather than from lexicon
// phrases: politeness, a short dismissive reply, and a stated wish to pay followed
// by an inability ("I want to pay but I can't right now").

// markers are what markersOf finds.
type markers struct {
	polite     bool // sorry, kindly, apologies: courtesy, not affect
	dismissive bool // the whole message is a curt no ("nah", "lol no", "no thanks")
	inability  bool // a wish to pay (wantEnd) contradicted by "but ... can't"
	// unaffordable: the inability is about the money ("but I just can't right now"),
	// not about a date or a promise ("but I can't give you a date yet").
	unaffordable bool
}

var politeWords = map[string]bool{
	"sorry": true, "kindly": true, "apologies": true, "apologise": true, "apologize": true,
}

// A dismissive reply is made only of a refusal word and these.
var (
	dismissCore = map[string]bool{"nah": true, "nope": true, "no": true, "naw": true, "nay": true, "nty": true, "pass": true}
	// notCore say no only after "not": "not happening", "not interested".
	notCore      = map[string]bool{"happening": true, "interested": true, "bothered": true}
	dismissOther = map[string]bool{"thanks": true, "thank": true, "you": true, "thx": true, "ty": true, "way": true,
		"chance": true, "deal": true, "not": true, "lol": true, "lmao": true, "haha": true, "man": true, "mate": true,
		"dude": true, "bro": true, "sorry": true, "ok": true, "um": true, "uh": true, "hmm": true, "thats": true, "that's": true,
		"a": true, "hard": true, "i'm": true, "im": true, "good": true, "sir": true}
)

// inabilityWords say the debtor cannot do what they just said they wanted to.
var inabilityWords = map[string]bool{"can't": true, "cant": true, "cannot": true, "unable": true,
	"couldn't": true, "couldnt": true, "afford": true}

// markersOf reads t's words. wantEnd is the end of a wish to pay, or -1.
func markersOf(t *text, wantEnd int) markers {
	var mk markers
	words, core, other, han := 0, 0, 0, false
	sawBut := false
	prev := ""
	inabilityAt := 0
	for i := 0; i < len(t.s); {
		b := t.s[i]
		if b >= 0x80 {
			r, size := utf8.DecodeRuneInString(t.s[i:])
			if unicode.Is(unicode.Han, r) {
				han = true
			}
			i += size
			continue
		}
		if !isWordByte(b) {
			i++
			continue
		}
		j := i
		for j < len(t.s) && (isWordByte(t.s[j]) || t.s[j] == '\'') {
			j++
		}
		w := strings.TrimSuffix(t.s[i:j], "'")
		words++
		switch {
		case dismissCore[w] || notCore[w] && prev == "not":
			core++
		case dismissOther[w]:
			other++
		}
		if politeWords[w] {
			mk.polite = true
		}
		if wantEnd >= 0 && i >= wantEnd {
			if w == "but" || w == "though" || w == "however" || w == "just" {
				sawBut = true
			}
			if sawBut && (inabilityWords[w] || prev == "not" && w == "able") {
				mk.inability = true
				inabilityAt = j
			}
		}
		prev = w
		i = j
	}
	mk.dismissive = !han && core > 0 && core+other == words && words <= 4
	// "but I can't give you a date yet" withholds a date, not the money.
	if mk.inability {
		mk.unaffordable = true
		for k, w := range wordsAfter(t.s, inabilityAt, 3) {
			if notMoney[w] || k == 0 && w == "do" {
				mk.unaffordable = w == "do" // "can't do the full amount" is money
				break
			}
		}
	}
	return mk
}

// notMoney follow an inability that is about something other than paying.
var notMoney = map[string]bool{"give": true, "tell": true, "say": true, "promise": true,
	"commit": true, "confirm": true, "guarantee": true, "talk": true}

// wordsAfter returns up to n ASCII words of s from byte i.
func wordsAfter(s string, i, n int) []string {
	var out []string
	for i < len(s) && len(out) < n {
		if !isWordByte(s[i]) {
			if s[i] == '.' || s[i] == ',' || s[i] == '!' || s[i] == '?' || s[i] == ';' {
				break
			}
			i++
			continue
		}
		j := i
		for j < len(s) && (isWordByte(s[j]) || s[j] == '\'') {
			j++
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}
