package builtin

// Frames combine concepts (lexicon cues with a "concept", plus the amounts and dates
// the entity reader found) within one sentence, so that a commitment, a demand or an
// objection is recognised from its structure rather than from a list of whole
// phrases. Each frame names the parts it needs; none needs a particular wording.
//
//   - promise: a paying verb, not negated, in a statement, with a time or an amount
//     in the same sentence, or with a commitment marker and no vague time ("Sending
//     25 now", "下周一我先还一半", "出粮即刻还俾你", but not "I'll pay later"). A
//     question ("can I pay on Friday?"), a proposal ("could we do 100 a month",
//     "能不能按月还，每月五百") or a hedged sentence ("I'll try to pay Friday, no
//     promises") is not a promise.
//   - cease: a stop or a negative imperative followed, a few runes on in the same
//     sentence, by a contacting verb ("quit texting me", "不要再给我打电话").
//   - callback: a request to be reached, not under a stop, with a time in the same
//     sentence ("ring me on Saturday", "下班后再联系").
//   - dispute: a charge or a sum and an objection in the same sentence ("that fee
//     is bogus", "利息算错了") or the next one ("a $35 fee?? thats robbery"), a question why a charge is there ("why a $35
//     fee?"), or a refusal to pay a charge ("I won't pay the late fees"): a debtor
//     refusing a fee still owns the debt. A sum asked why ("why is my balance
//     higher?") is contested the same way.
//   - paid: a paying verb with a bare completion mark ("还了", "转了") says the
//     money has gone, unless a commitment or a time ahead shares the sentence
//     ("明天就去把钱转了" is a promise).
//   - redirect: contact sent to a lawyer ("go through my attorney", "找我律师") asks
//     them to stop contacting the debtor; the lawyer may be named in another sentence.

// occurrence is one concept found in the text.
type occurrence struct {
	concept    concept
	start, end int32
	sentence   int32
	negated    bool
	question   bool
}

// stopGap is how many runes may separate a stop from the contacting verb it governs.
const stopGap = 12

// frameConfidence is the confidence of an intent a frame establishes.
const frameConfidence = 0.85

func (f *features) applyFrames(t *text, occ []occurrence, sp entitySpans) {
	type sentence struct {
		has [numConcepts]bool // concepts present, not negated
	}
	sents := map[int32]*sentence{}
	get := func(s int32) *sentence {
		x := sents[s]
		if x == nil {
			x = &sentence{}
			sents[s] = x
		}
		return x
	}
	for _, o := range occ {
		if !o.negated {
			get(o.sentence).has[o.concept] = true
		}
	}
	for _, p := range sp.amounts {
		get(t.stopAt[p]).has[conceptAmount] = true
	}
	for _, p := range sp.dates {
		get(t.stopAt[p]).has[conceptTime] = true
	}
	// A lawyer named anywhere in the message makes a redirect ("Per my attorney's
	// advice... Please route everything through her office.").
	lawyer := false
	for _, o := range occ {
		lawyer = lawyer || o.concept == conceptLawyer && !o.negated
	}
	for _, x := range sents {
		if x.has[conceptFuture] {
			x.has[conceptTime] = true
		}
	}
	// underStop reports a stop shortly before occurrence i in its sentence.
	underStop := func(i int) bool {
		o := occ[i]
		for j := i - 1; j >= 0; j-- {
			p := occ[j]
			if p.sentence != o.sentence {
				break
			}
			if p.concept == conceptStop && p.end <= o.start && t.runeAt[o.start]-t.runeAt[p.end] <= stopGap {
				return true
			}
		}
		return false
	}
	// askedBefore reports a request for permission earlier in the sentence of
	// occurrence i: "剩下的能不能按月还，每月五百？" proposes, it does not promise.
	askedBefore := func(i int) bool {
		for j := i - 1; j >= 0 && occ[j].sentence == occ[i].sentence; j-- {
			if occ[j].concept == conceptAsk {
				return true
			}
		}
		return false
	}
	// objectNext reports an objection in the sentence after sentence k ("$35 late
	// fee on a $90 bill?? thats robbery"); runs of terminators leave empty
	// sentences between them, which are skipped.
	objectNext := func(k int32) bool {
		for j := k + 1; j <= k+3; j++ {
			if x := sents[j]; x != nil {
				return x.has[conceptObject]
			}
		}
		return false
	}
	// A paying verb that a bare completion mark closes ("昨天用支付宝还了八百")
	// reports the money gone; its amount does not make it a promise.
	done := map[int32]bool{}
	for _, o := range occ {
		s := get(o.sentence)
		if o.concept == conceptPaidWeak && !o.negated && !o.question && !(s.has[conceptCommit] || s.has[conceptFuture]) {
			done[o.start] = true
		}
	}
	var promise, paid, cease, callback, dispute, redirect bool
	for i, o := range occ {
		s := get(o.sentence)
		switch o.concept {
		case conceptPaidWeak:
			// "我明天就去把钱转了" names the future: a promise, not a payment made.
			if o.negated || o.question {
				continue
			}
			if !(s.has[conceptCommit] || s.has[conceptFuture]) {
				paid = true
				continue
			}
			fallthrough
		case conceptPay:
			if done[o.start] {
				continue
			}
			definite := s.has[conceptTime] || s.has[conceptAmount]
			if !o.negated && !o.question && !askedBefore(i) && !s.has[conceptHedge] && (definite || s.has[conceptCommit] && !s.has[conceptVague]) {
				promise = true
			}
		case conceptContact:
			if underStop(i) {
				cease = true
			}
		case conceptReach:
			if underStop(i) {
				cease = true
			} else if !o.negated && (s.has[conceptTime] || s.has[conceptVague]) {
				callback = true
			}
		case conceptFee:
			// "Why is there a $35 fee?" contests the charge as surely as "bogus".
			if s.has[conceptObject] || objectNext(o.sentence) || s.has[conceptRefuse] || s.has[conceptWhy] && o.question {
				dispute = true
			}
		case conceptSum:
			// "why is my balance 200 more??" contests the sum as a charge would.
			if s.has[conceptObject] || objectNext(o.sentence) || s.has[conceptWhy] && o.question {
				dispute = true
			}
		case conceptRedirect:
			if !o.negated && lawyer {
				redirect = true
			}
		}
	}
	add := func(i int, name string) {
		f.intent[i] = 1 - (1-f.intent[i])*(1-frameConfidence)
		f.frames = append(f.frames, name)
	}
	if promise {
		add(iPromise, "frame.promise")
		f.framePromise = true
	}
	if paid {
		add(iPaid, "frame.paid")
	}
	if cease {
		add(iCease, "frame.cease")
		f.segment[segResistant] += 0.3
	}
	if callback {
		add(iCallback, "frame.callback")
	}
	if dispute {
		add(iDispute, "frame.dispute")
		f.segment[segResistant] += 0.3
	}
	if redirect {
		f.redirectOnly = !cease && f.intent[iCease] < intentThreshold
		add(iCease, "frame.redirect")
	}
}
