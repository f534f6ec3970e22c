package plan

import (
	"errors"
	"testing"

	"github.com/daestro-jobs/daestro-jobs/diag"
	"github.com/daestro-jobs/daestro-jobs/interp"
	"github.com/google/go-cmp/cmp"
)

// TestEnvDiagnostics: a problem in a dotenv file is located at its file and
// line; an unset variable there names the variable in Unset, as a
// manifest's does, so reports say it once with the manifest's uses; a
// required one is a warning in validate but not grouped.
func TestEnvDiagnostics(t *testing.T) {
	err := errors.Join(
		&interp.EnvFileError{Path: ".env", Line: 3, Var: "DB_PASSWORD", Kind: interp.Unset, Reason: "unset"},
		&interp.EnvFileError{Path: ".env", Line: 4, Var: "TOKEN", Kind: interp.Required, Reason: "required"},
		&interp.EnvFileError{Path: ".env", Line: 5, Kind: interp.Syntax, Reason: "syntax"},
		&interp.EnvFileError{Path: "missing.env", Reason: "no such file"},
	)
	for _, tt := range []struct {
		name string
		warn bool
		want []diag.Diagnostic
	}{
		{"apply", false, []diag.Diagnostic{
			{File: ".env", Line: 3, Severity: diag.Error, Kind: diag.File, Message: "unset", Unset: "DB_PASSWORD"},
			{File: ".env", Line: 4, Severity: diag.Error, Kind: diag.File, Message: "required"},
			{File: ".env", Line: 5, Severity: diag.Error, Kind: diag.File, Message: "syntax"},
			{File: "missing.env", Severity: diag.Error, Kind: diag.File, Message: "no such file"},
		}},
		{"validate", true, []diag.Diagnostic{
			{File: ".env", Line: 3, Severity: diag.Warning, Kind: diag.File, Message: "unset", Unset: "DB_PASSWORD"},
			{File: ".env", Line: 4, Severity: diag.Warning, Kind: diag.File, Message: "required"},
			{File: ".env", Line: 5, Severity: diag.Error, Kind: diag.File, Message: "syntax"},
			{File: "missing.env", Severity: diag.Error, Kind: diag.File, Message: "no such file"},
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, envDiagnostics(err, tt.warn)); diff != "" {
				t.Errorf("diagnostics (-want +got):\n%s", diff)
			}
		})
	}
}
