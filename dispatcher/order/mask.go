package order

import "unicode/utf8"

// MaskPhone keeps the first three and last four digits of a phone number
// ("13812345678" → "138****5678"), the way Chinese shops print them. Use it wherever a
// phone number could reach a log, an event or a status.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) <= 7 {
		return "****"
	}
	out := make([]rune, len(r))
	for i := range r {
		if i < 3 || i >= len(r)-4 {
			out[i] = r[i]
		} else {
			out[i] = '*'
		}
	}
	return string(out)
}

// MaskAddress keeps the first six characters of an address (province and city, as a
// rule) and hides the rest.
func MaskAddress(a string) string {
	if utf8.RuneCountInString(a) <= 6 {
		return a
	}
	return string([]rune(a)[:6]) + "…"
}

// MaskName keeps the first character of a name ("张三" → "张*").
func MaskName(n string) string {
	r := []rune(n)
	if len(r) <= 1 {
		return n
	}
	out := []rune{r[0]}
	for range r[1:] {
		out = append(out, '*')
	}
	return string(out)
}
