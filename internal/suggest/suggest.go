// Package suggest finds the word a typo was meant to be, as kubectl's
// "did you mean" does: the nearest candidate by edit distance, or the one
// the typed word is a prefix of.
package suggest

import "strings"

// Closest returns the candidate nearest to typed, or "" when none is close
// enough to be a typo of it: at most max(2, len/3) edits away (letters
// compared whatever their case), or the only candidate that typed is a
// prefix of (3 letters at least). Ties go to the earlier candidate.
func Closest(typed string, candidates []string) string {
	best, bestDist := "", -1
	lt := strings.ToLower(typed)
	for _, c := range candidates {
		d := Distance(lt, strings.ToLower(c))
		if bestDist < 0 || d < bestDist {
			best, bestDist = c, d
		}
	}
	if bestDist >= 0 && bestDist <= max(2, len(typed)/3) && bestDist < len(typed) {
		return best
	}
	if len(typed) < 3 {
		return ""
	}
	prefixed := ""
	for _, c := range candidates {
		if strings.HasPrefix(strings.ToLower(c), lt) {
			if prefixed != "" {
				return ""
			}
			prefixed = c
		}
	}
	return prefixed
}

// Distance is the Levenshtein distance between a and b, counted in runes.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
