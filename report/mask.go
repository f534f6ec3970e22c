package report

import (
	"io"
	"strings"
)

// GitHubMasks writes a GitHub Actions ::add-mask:: command for every secret,
// so the runner masks them in the log even in output this tool does not
// control. Commands call it before writing anything else, to stderr: the
// runner reads workflow commands there as on stdout, and stdout stays a clean
// JSON, JUnit or SARIF document even when redirected to a file.
//
// A secret of several lines is masked line by line, as the runner masks one
// line at a time; each is escaped as command data, so a secret can neither end
// the command early nor start another.
func GitHubMasks(w io.Writer, secrets []string) error {
	var b strings.Builder
	seen := map[string]bool{}
	for _, s := range secrets {
		for _, line := range strings.FieldsFunc(s, func(r rune) bool { return r == '\n' || r == '\r' }) {
			if strings.TrimSpace(line) == "" || seen[line] {
				continue
			}
			seen[line] = true
			b.WriteString("::add-mask::")
			b.WriteString(escapeData(line))
			b.WriteByte('\n')
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
