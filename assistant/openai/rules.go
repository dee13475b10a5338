package openai

// ruleSet holds the short reminders added to the system prompt, by jurisdiction and
// prompt language. They tell the model what the compliance screen will check
// (../shared/domain/compliance-rules.md), so fewer drafts are refused; the screen,
// not these lines, is what enforces the rules.
type ruleSet struct {
	always  []string
	written []string // text and email: channels that need an opt-out
}

var rules = map[string]map[string]ruleSet{
	"US": {
		"en": {
			always: []string{
				"Say that the message is from a debt collector (Reg F 1006.18(e)).",
				"Discuss the debt only with the debtor; write nothing that would reveal it to anyone else who sees the message.",
				"No deadline or pressure that would overshadow the debtor's right to dispute the debt.",
				"If the debtor disputes the debt, names an attorney or asks you to stop, only acknowledge it and say a person will follow up.",
			},
			written: []string{`Include a simple, free way to opt out of this channel (for a text: "Reply STOP to opt out").`},
		},
		"zh": {
			always: []string{
				"说明本消息来自债务催收方（Reg F 1006.18(e)）。",
				"只与债务人本人讨论欠款；不要写任何可能让他人看出欠款的内容。",
				"不要设定期限或施加压力，不得妨碍债务人对欠款提出异议的权利。",
				"如果对方对欠款有异议、提到律师或要求停止联系，只确认收到，并说明会有专人跟进。",
			},
			written: []string{"写明简单、免费的退订方式（短信可写“回复STOP退订”）。"},
		},
	},
	"CN": {
		"zh": {
			always: []string{
				"说明发信机构的名称（自报家门）。",
				"只与债务人本人沟通，不向家人、同事、通讯录联系人或其他任何人透露欠款信息。",
				"只引导通过官方渠道还款，不提供任何个人账户或个人微信，不收取任何催收费、上门费。",
				"不提上门、去单位等外访安排。",
			},
		},
		"en": {
			always: []string{
				"State the name of the institution sending the message.",
				"Communicate only with the debtor; reveal nothing about the debt to family, colleagues, contacts or anyone else.",
				"Point only to the official repayment channels: never a personal account or personal WeChat, and no collection or visit fees.",
				"Do not mention visits to the debtor's home or workplace.",
			},
		},
	},
}

// Rules returns the reminders for the system prompt: jurisdiction "US" or "CN",
// channel as in assistant.Channels, lang the prompt language ("zh" or "en", see
// prompts.Lang). Unknown jurisdictions get none; the template's general rules remain.
func Rules(jurisdiction, channel, lang string) []string {
	rs, ok := rules[jurisdiction][lang]
	if !ok {
		return nil
	}
	out := append([]string(nil), rs.always...)
	if channel == "sms" || channel == "email" {
		out = append(out, rs.written...)
	}
	return out
}
