// Package compliance is the gate every outgoing collection message passes
// before it can be sent: drafts, agent edits, reminders, widget replies and
// the agent turns of QA transcripts.
//
// [Gate.Check] screens a message against the rule pack of its jurisdiction
// (US: FDCPA and Regulation F; CN: NIFA convention, banking-association
// guideline and national standard) and returns a [Verdict]: whether it may
// be sent, every violation with its rune span, rule id, explanation and
// citation, and, when one can be made, a compliant rewrite.
//
// Rule packs are data (packs/*.yaml, embedded): phrase lists in English and
// Chinese, co-occurrence patterns, context conditions, citations and
// examples that run as tests, so that counsel can change a pack without
// touching Go. Text is folded first (package normalize) so that full-width
// letters, inserted spaces or punctuation, zero-width characters,
// homoglyphs, leetspeak, traditional characters and pinyin do not get past
// the phrase lists; matching runs one Aho-Corasick automaton per view of the
// message. Beyond phrase lists the engine understands negation scope ("your
// manager will never hear from us"), conditional and implied threats, legal
// steps that are lawful only when authorised, and neutral mentions of the
// consumer's rights.
//
// [Gate.Clear] returns a [Cleared] value that only this package can make:
// the outbox accepts nothing else, so skipping the screen is a compile error
// rather than a review finding.
//
// Everything here is a pure function of its inputs: no I/O, no clock except
// the time stamp recorded in a Cleared.
package compliance
