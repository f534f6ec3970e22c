package main

import (
	"errors"
	"io/fs"
	"net/http"
	"strings"

	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
	"github.com/daestro-jobs/daestro-jobs/redact"
)

// maxKeyFile bounds --api-key-file: a key is a line, not a file to read whole.
const maxKeyFile = 64 << 10

// newClient builds the API client from flags and environment. The key never
// comes from a flag value, so it never lands in shell history or ps output.
func newClient(e env, o *apiOptions, concurrency int) (*apiclient.Client, error) {
	// The key is read first so that a URL it was pasted into is shown
	// masked; a missing key is said after a bad URL.
	key, keyErr := apiKey(e, o)
	raw := o.url
	if !o.urlSet {
		raw = defaultAPIURL
		// Through e.lookup, not os.Getenv: a run sees exactly the
		// environment main was given.
		if v := e.getenv(envAPIURL); v != "" {
			raw = v
		}
	}
	base, err := apiclient.CheckBaseURL(raw)
	if err != nil {
		// CheckBaseURL never quotes user info, query or fragment; the key
		// may still have been pasted elsewhere in the URL.
		return nil, &usageError{err: errors.New(scrubbed(redact.New(key), "--"+flagAPIURL+": "+err.Error()))}
	}
	if keyErr != nil {
		return nil, keyErr
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(concurrency, 2)
	return &apiclient.Client{
		HTTP:      &http.Client{Transport: tr},
		BaseURL:   base,
		APIKey:    key,
		UserAgent: "daestro-jobs/" + moduleVersion(),
		// Redact is set by the command once the run's secrets are known;
		// until then the client masks the key alone.
	}, nil
}

// envKeys are the API key as the environment holds it, trimmed as apiKey
// reads it and as written, for masking in every command.
func envKeys(e env) []string {
	v := e.getenv(envAPIKey)
	if strings.TrimSpace(v) == "" {
		return nil // no key: blanks alone would mask every blank
	}
	return []string{v, strings.TrimSpace(v)}
}

// keyFileSecret is the key --api-key-file holds, for masking in a command
// that does not send it (apply --dry-run): "" when none is given or it
// cannot be read, which such a command does not need.
func keyFileSecret(o *apiOptions) string {
	if o.keyFile == "" {
		return ""
	}
	b, err := safefile.ReadFile(o.keyFile, maxKeyFile)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

// apiKey reads the key from --api-key-file or $DAESTRO_API_KEY. A FIFO or
// device given as the key file is refused at once, not waited on.
func apiKey(e env, o *apiOptions) (string, error) {
	if path := o.keyFile; path != "" {
		b, err := safefile.ReadFile(path, maxKeyFile)
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return "", usagef("--%s: cannot read %s: %v", flagAPIKeyFile, path, err)
		}
		key := strings.TrimSpace(string(b))
		if key == "" {
			return "", usagef("--%s: %s is empty", flagAPIKeyFile, path)
		}
		return key, nil
	}
	if key := strings.TrimSpace(e.getenv(envAPIKey)); key != "" {
		return key, nil
	}
	return "", usagef("no API key: set %s or pass --%s FILE (or use --%s, which needs none)", envAPIKey, flagAPIKeyFile, flagDryRun)
}
