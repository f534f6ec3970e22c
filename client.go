package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/daestro-jobs/daestro-jobs/apiclient"
	"github.com/daestro-jobs/daestro-jobs/internal/safefile"
	"github.com/daestro-jobs/daestro-jobs/redact"
	"github.com/daestro-jobs/daestro-jobs/report"
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
	o.urlFrom = "--" + flagAPIURL
	if !o.urlSet {
		raw, o.urlFrom = defaultAPIURL, defaultFrom
		// Through e.lookup, not os.Getenv: a run sees exactly the
		// environment main was given.
		if v := e.getenv(envAPIURL); v != "" {
			raw, o.urlFrom = v, envAPIURL
		}
	}
	base, err := apiclient.CheckBaseURL(raw)
	if err != nil {
		// CheckBaseURL never quotes user info, query or fragment; the key
		// may still have been pasted elsewhere in the URL.
		return nil, &usageError{err: errors.New(scrubbed(redact.New(key), o.urlFrom+": "+err.Error()))}
	}
	if keyErr != nil {
		return nil, keyErr
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(concurrency, 2)
	if e.dial != nil {
		tr.DialContext = e.dial
	}
	return &apiclient.Client{
		HTTP:      &http.Client{Transport: tr},
		BaseURL:   base,
		APIKey:    key,
		UserAgent: "daestro-jobs/" + moduleVersion(),
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

// defaultFrom is where the default URL comes from.
const defaultFrom = "the default"

// unreachable is the one message of a run that could not reach the API at
// all: where it tried (scheme and host only: a path may hold anything), where
// that URL came from, what went wrong and what to check.
func unreachable(edge *report.Edge, base *url.URL, from string, err error) error {
	where := base.Scheme + "://" + base.Host
	var (
		dns    *net.DNSError
		record tls.RecordHeaderError
	)
	var what, check string
	switch {
	case errors.Is(err, syscall.ECONNREFUSED):
		what = "connection refused: nothing listens on " + base.Host
		check = "check the host and port, and that the server (or daestro-jobs emulator) is running"
	case errors.As(err, &dns):
		what = fmt.Sprintf("host %s not found", base.Hostname())
		check = "check the host name, and this machine's DNS and network"
	case errors.Is(err, syscall.EHOSTUNREACH) || errors.Is(err, syscall.ENETUNREACH):
		what = "no route to host"
		check = "check the host, and this machine's network, VPN and firewall"
	case errors.As(err, &record) || errors.Is(err, http.ErrSchemeMismatch):
		what = "the server answered in plain HTTP, not TLS"
		check = "use http:// for a local emulator, or the server's https port"
	default: // a certificate refused
		what = "the server's TLS certificate was refused (" + certReason(err) + ")"
		check = "check the host name, and this machine's CA certificates (SSL_CERT_FILE)"
	}
	if from == defaultFrom {
		from = "the default URL"
	} else {
		from = "from " + from
	}
	return failAt(edge, "cannot reach the Daestro API at %s (%s): %s; %s", where, from, what, check)
}

// certReason is what a TLS error says, without the URL net/http wraps it
// in: the reason the certificate was refused.
func certReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}
