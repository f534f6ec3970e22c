// Package ascii holds the byte-level character tests several parsers share.
package ascii

// IsDigits reports whether s is non-empty and made of the digits 0-9 only.
func IsDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
