package interp

import (
	"errors"
	"fmt"
	"io/fs"

	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
)

// MaxEnvFileSize bounds the size of one dotenv file. Real ones are a few
// kilobytes; the bound keeps a mistaken --env-file (a log, a disk image) from
// being read into memory whole.
const MaxEnvFileSize = 1 << 20

// EnvFileError is a dotenv file that Env could not read, or one error in one
// that it could.
type EnvFileError struct {
	Path   string      // the file as given to Env
	Line   int         // 1-based line of the error; 0 for errors about the whole file
	Var    string      // the variable an unset or required reference names; "" otherwise
	Kind   ProblemKind // for a problem in a ${VAR} reference, its kind (Unset, Required, Syntax, Encoding); 0 otherwise
	Reason string      // what is wrong; quotes at most a character, a variable name or a ${VAR:?message} message, never a value
	Err    error       // the cause for a file that could not be read; nil otherwise
}

// Error renders "path:line: reason" (the line left out when 0), the way
// compilers do, so editors and CI logs can jump to it.
func (e *EnvFileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Reason)
	}
	return e.Path + ": " + e.Reason
}

// Unwrap returns the I/O error for an unreadable file, so errors.Is(err,
// fs.ErrNotExist) works.
func (e *EnvFileError) Unwrap() error { return e.Err }

// Env builds a Lookup from dotenv files and the process environment: files
// are read in order, a later file overrides an earlier one, and the process
// environment (the given lookup, normally os.LookupEnv) wins over every file.
// A nil process means no process environment. Every file is read and every
// error of every file is returned, joined, each an *EnvFileError naming the
// file and, for errors in its text, the line.
//
// Files are read as docker compose reads .env (compose-go's dotenv package):
//
//   - One KEY=value per line; "KEY: value" works too, and "export KEY=value"
//     for files that are also sourced by a shell. Blank lines and lines
//     starting with "#" are ignored, and a UTF-8 byte-order mark is skipped.
//   - Keys may hold letters, digits, "_", ".", "-", "[" and "]"; those that
//     are not valid variable names load but cannot be referenced.
//   - A bare KEY line takes KEY from the environment, which here already
//     wins over every file, so it changes nothing.
//   - Unquoted values end at the line end or at an inline comment (" #",
//     with a space before the "#"), and lose trailing white space.
//   - 'Single-quoted' values are literal (\' is a quote) and may span lines.
//   - "Double-quoted" values may span lines and decode \n \t \r \a \b \f \v
//     \\ \" \$ and \0 followed by three octal digits; any other backslash is
//     kept. After the closing quote only a comment may follow.
//   - References ($VAR, ${VAR:-default} and every other form Expand knows)
//     are expanded in unquoted and double-quoted values, not in single-quoted
//     ones. A reference sees the process environment first, then the value a
//     name has at that point of reading: an earlier line of the same file or
//     an earlier file. As in manifests, an unset variable without a default
//     is an error naming file:line and the variable (compose would substitute
//     "" silently), and so is a "$" that starts no reference.
//
// Differences from compose's reader, each stricter: an assignment without a
// name ("=value") is an error rather than setting the variable ""; text after
// a closing quote is an error rather than a second statement; a key holding
// white space is always an error (compose only catches spaces); and where a
// name is defined both in an earlier file and earlier in the same file, a
// reference sees the same file's value, as the final Lookup would, where
// compose sees the earlier file's.
//
// A file is opened without blocking and must be a regular file of at most
// MaxEnvFileSize bytes: a named pipe, socket or device given by mistake is
// reported, never waited on.
//
// The returned Lookup never changes and is safe for concurrent use if process
// is.
//
// The Lookup is returned with the errors too, holding every value that could
// be read, so that a caller can go on checking manifests and report
// everything at once (validate takes unset variables as warnings).
func Env(files []string, process Lookup) (Lookup, error) {
	lookup, errs := loadEnv(files, process)
	return lookup, errors.Join(errs...)
}

// loadEnv is Env, with the errors as a list.
func loadEnv(files []string, process Lookup) (Lookup, []error) {
	vars := make(map[string]string)
	lookup := func(name string) (string, bool) {
		if process != nil {
			if v, ok := process(name); ok {
				return v, true
			}
		}
		v, ok := vars[name]
		return v, ok
	}
	set := func(key, value string) { vars[key] = value }
	var errs []error
	for _, path := range files {
		data, err := readEnvFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, parseDotenv(path, string(data), lookup, set)...)
	}
	return lookup, errs
}

// readEnvFile reads one dotenv file, up to MaxEnvFileSize. It opens without
// waiting (a named pipe nobody writes to would block a plain open) and checks
// what it opened, not what the path named a moment before, to be a regular
// file.
func readEnvFile(path string) ([]byte, error) {
	data, err := safefile.ReadFile(path, MaxEnvFileSize)
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, safefile.ErrNotRegular):
		return nil, &EnvFileError{Path: path, Reason: cause(err)}
	case errors.Is(err, safefile.ErrTooLarge):
		return nil, &EnvFileError{Path: path, Reason: fmt.Sprintf("dotenv file is larger than the limit of %d bytes (1 MiB)", MaxEnvFileSize)}
	}
	return nil, &EnvFileError{Path: path, Reason: "cannot read dotenv file: " + cause(err), Err: err}
}

// cause is err without the path, which the EnvFileError already names.
func cause(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
