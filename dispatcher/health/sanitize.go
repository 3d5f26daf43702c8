package health

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/dropship-operator/dropship-operator/dispatcher/order"
)

// MaxErrorLength is the most runes of an error message a Snapshot keeps.
const MaxErrorLength = 256

var (
	secretRe = regexp.MustCompile(`(?i)(authorization|bearer|token|secret|password|passwd|api[-_]?key|signature|sign|sessionid|kdservice-sessionid)(["']?\s*[:=]\s*["']?|["']?\s+)((?:(?i:bearer|basic|hmac\S*)\s+)?[^\s"'&,;}]+)`)
	phoneRe  = regexp.MustCompile(`(?:\+?86[- ]?)?1[3-9]\d{9}|\d{3,4}-\d{7,8}`)
	// addressRe finds Chinese street addresses: a run of Han characters and digits that
	// contains a street-level marker (路 街 道 号 弄 巷 村 栋 幢 室 楼 单元).
	addressRe = regexp.MustCompile(`[\p{Han}0-9A-Za-z\-#]*[\p{Han}0-9][\p{Han}0-9\-#]*(?:路|街|道|号|弄|巷|村|栋|幢|室|楼|单元)[\p{Han}0-9A-Za-z\-#]*`)
)

// Sanitize makes an error message safe for a status, an event or a log: credentials
// after a key word (token, secret, password, signature, authorization…) become "***",
// phone numbers are masked (order.MaskPhone), street addresses are cut to their first
// characters (order.MaskAddress), control characters become spaces, and the result is
// truncated to MaxErrorLength runes. It is a second line of defence: callers should not
// put personal data into errors in the first place.
func Sanitize(msg string) string {
	msg = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, msg)
	msg = secretRe.ReplaceAllString(msg, "${1}${2}***")
	msg = phoneRe.ReplaceAllStringFunc(msg, order.MaskPhone)
	msg = addressRe.ReplaceAllStringFunc(msg, order.MaskAddress)
	if utf8.RuneCountInString(msg) > MaxErrorLength {
		msg = string([]rune(msg)[:MaxErrorLength-1]) + "…"
	}
	return strings.TrimSpace(msg)
}
