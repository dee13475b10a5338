// Package builtin is Parley's offline, deterministic analyser of debtor messages and
// the default assistant.Analyzer. It needs no network and no model weights.
//
// A message is folded with compliance/normalize (the screen's normalisation: width,
// case, traditional to simplified Chinese), then every lexicon pattern is found in
// one Aho-Corasick pass (match.go). The lexicons are data, lexicon/*.json, one file
// per language; Cantonese forms sit beside Mandarin ones and traditional characters
// need no entries of their own. A cue lists its patterns and either the intents,
// sentiment and willingness evidence it carries, or a concept: a building block
// such as a paying verb, a time, a stop or a contacting verb. Every cue has
// examples it must and must not fire on, which the tests run.
//
// Longer matches silence the shorter ones they contain ("不会还" silences "会还"),
// negators before a cue or inside its gaps negate it ("不是不满意"), and a stop
// governs the contacting words just after it ("不要再给我发短信"). The frames of
// frames.go then combine concepts within a sentence, so that structure rather than
// whole phrases decides: a paying verb with a time, an amount or a commitment is a
// promise unless it is asked, hedged or vague; a stop before a contacting verb asks
// them to stop; a charge with an objection is a dispute; contact sent to a lawyer is
// a request to stop contacting the debtor. rules.go combines the result following
// ../shared/eval/LABELS.md. Amounts and dates are read from a token stream and
// dates are resolved in the debtor's time zone (entities.go, dates.go).
//
// testdata/train.jsonl holds messages written for this package, which the lexicons
// may be tuned on; testdata/holdout.jsonl holds messages written before the last
// rework of the rules and never used to tune them. Neither holds, nor may the
// lexicons or tests hold, text from an evaluation set: those measure, they do not
// teach.
package builtin
