package plan

import (
	"slices"
	"strings"
)

// A generated name is a hash of the body, and anyone can hash candidate
// values offline: a variable that feeds a sensitive entry and also appears
// in a parameter would make the name an oracle for the secret (a 4-digit PIN
// is found in a second or two). So every value that used such a variable is
// hashed as written, its references unexpanded, wherever it stands.

// refUse is one string of a document that held a reference: where, as
// written, and which variables its value used.
type refUse struct {
	path      string // the field path, keys joined with "\x00"
	written   string
	used      []string
	sensitive bool // the value of a sensitive container_env entry
}

// asWritten lists the strings that must be hashed as written: those, outside
// sensitive entries (whose values are never hashed), that used a variable
// that also fed a sensitive entry. It is nil for a document whose sensitive
// entries use no variable, so the names of such jobs do not change.
func asWritten(uses []refUse) map[string]string {
	var secret []string
	for _, u := range uses {
		if u.sensitive {
			secret = append(secret, u.used...)
		}
	}
	if len(secret) == 0 {
		return nil
	}
	var out map[string]string
	for _, u := range uses {
		if u.sensitive || !slices.ContainsFunc(u.used, func(n string) bool { return slices.Contains(secret, n) }) {
			continue
		}
		if out == nil {
			out = map[string]string{}
		}
		out[u.path] = u.written
	}
	return out
}

// nameBody is b as the generated name hashes it: the strings asWritten
// lists put back as written.
func nameBody(b Body, written map[string]string) Body {
	if len(written) == 0 {
		return b
	}
	at := func(path ...string) (string, bool) {
		s, ok := written[strings.Join(path, "\x00")]
		return s, ok
	}
	if s, ok := at("job_definition"); ok {
		b.JobDefinition = s
	}
	if s, ok := at("job_queue"); ok {
		b.JobQueue = s
	}
	b.ContainerCmdParameter = slices.Clone(b.ContainerCmdParameter)
	for i, p := range b.ContainerCmdParameter {
		if s, ok := at("container_cmd_parameter", p.Key); ok {
			b.ContainerCmdParameter[i].Value = s
		}
	}
	b.ContainerEnv = slices.Clone(b.ContainerEnv)
	for i, e := range b.ContainerEnv {
		if s, ok := at("container_env", e.Name, "value"); ok {
			b.ContainerEnv[i].Value = s
		}
		if s, ok := at("container_env", e.Name); ok { // the NAME: text shorthand
			b.ContainerEnv[i].Value = s
		}
	}
	return b
}
