package redact

import (
	"html"
	"strings"
)

// namedRef is a named HTML character reference. legacy ones may also be
// written without the ';' (&amp, &copy), as HTML allows for the references that
// HTML 4 had for Latin-1.
type namedRef struct {
	r      rune
	legacy bool
}

// longestLegacyName is the longest name of a legacy reference (frac12).
const longestLegacyName = 6

// namedRefs holds every legacy reference and the common ones that escapers
// write, so that reading them costs no allocation. Every other name followed by
// ';' is looked up by lookupEntity. TestNamedRefsAgreeWithHTML checks each entry
// against html.UnescapeString.
var namedRefs = func() map[string]namedRef {
	m := map[string]namedRef{
		"amp": {'&', true}, "lt": {'<', true}, "gt": {'>', true}, "quot": {'"', true},
		"AMP": {'&', true}, "LT": {'<', true}, "GT": {'>', true}, "QUOT": {'"', true},
		"COPY": {'©', true}, "REG": {'®', true},
		"apos": {'\'', false}, "Tab": {'\t', false}, "NewLine": {'\n', false},
		"excl": {'!', false}, "num": {'#', false}, "dollar": {'$', false},
		"percnt": {'%', false}, "lpar": {'(', false}, "rpar": {')', false},
		"ast": {'*', false}, "midast": {'*', false}, "plus": {'+', false},
		"comma": {',', false}, "period": {'.', false}, "sol": {'/', false},
		"colon": {':', false}, "semi": {';', false}, "equals": {'=', false},
		"quest": {'?', false}, "commat": {'@', false}, "lsqb": {'[', false},
		"lbrack": {'[', false}, "bsol": {'\\', false}, "rsqb": {']', false},
		"rbrack": {']', false}, "Hat": {'^', false}, "lowbar": {'_', false},
		"UnderBar": {'_', false}, "grave": {'`', false}, "DiacriticalGrave": {'`', false},
		"lcub": {'{', false}, "lbrace": {'{', false}, "verbar": {'|', false},
		"vert": {'|', false}, "VerticalLine": {'|', false}, "rcub": {'}', false},
		"rbrace": {'}', false}, "hellip": {'…', false}, "ndash": {'–', false},
		"mdash": {'—', false}, "lsquo": {'‘', false}, "rsquo": {'’', false},
		"ldquo": {'“', false}, "rdquo": {'”', false}, "bull": {'•', false},
		"euro": {'€', false}, "trade": {'™', false},
	}
	// The Latin-1 references, U+00A0 to U+00FF in order; all are legacy.
	for i, name := range strings.Fields(latin1Names) {
		m[name] = namedRef{rune(0xA0 + i), true}
	}
	return m
}()

const latin1Names = `nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy
reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14
frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave
Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde
Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc
atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml
eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml
yacute thorn yuml`

// lookupEntity decodes &name; for a name not in namedRefs, using the full HTML5
// table inside html.UnescapeString; it allocates, but only text holding such a
// reference (&alpha;, &rarr;) gets here. A name is a reference iff the result
// no longer ends in ';': when it is not one, html.UnescapeString keeps the
// ';', after a legacy prefix or the whole text. The only reference that decodes
// to ';' is &semi;, which namedRefs holds.
func lookupEntity(name []byte) (string, bool) {
	d := html.UnescapeString("&" + string(name) + ";")
	if strings.HasSuffix(d, ";") {
		return "", false
	}
	return d, true
}

// windows1252 is how HTML reads the numeric references &#128; to &#159;.
var windows1252 = [32]rune{
	'€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008D', 'Ž', '\u008F',
	'\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009D', 'ž', 'Ÿ',
}
