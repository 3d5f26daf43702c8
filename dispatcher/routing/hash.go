package routing

import (
	"math"
	"strings"
)

// hashString is 64-bit FNV-1a: stable across processes and Go versions, which is what
// makes a line keep its supplier across restarts.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// mix is the splitmix64 finaliser: it turns (key hash ⊕ seed) into independent-looking
// bits per seed.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// unit maps a hash to (0, 1].
func unit(h uint64) float64 { return (float64(h>>11) + 1) / (1 << 53) }

// tierSeed separates the tier pick from every supplier's rendezvous hash.
const tierSeed = 0x5bd1e9955bd1e995

// rendezvousScore is −ln(u)/w: the smallest score wins, and supplier i wins with
// probability w_i / Σw (weighted rendezvous hashing).
func rendezvousScore(key, seed uint64, w float64) float64 {
	return -math.Log(unit(mix(key^seed))) / w
}

// provinceSuffixes are stripped before provinces are compared, so "广东" matches "广东省".
var provinceSuffixes = []string{"维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"}

func normProvince(p string) string {
	p = strings.TrimSpace(p)
	for _, s := range provinceSuffixes {
		if t, ok := strings.CutSuffix(p, s); ok && t != "" {
			return t
		}
	}
	return p
}
