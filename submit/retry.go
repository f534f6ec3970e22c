package submit

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"syscall"
	"time"
)

// Backoff between attempts is "full jitter": a random delay between zero and
// min(BackoffCap, BackoffBase·2ⁿ) before retry n (n from 0). Full jitter spreads
// the retries of many jobs that failed together, which is what a 503 or 429 from
// an overloaded server needs. With the default 5 retries the ceilings are 0.2s,
// 0.4s, 0.8s, 1.6s and 3.2s; the cap matters for larger --retries.
const (
	BackoffBase = 200 * time.Millisecond
	BackoffCap  = 10 * time.Second
)

// MaxRetryAfter caps how long a Retry-After header can make a job wait before its
// next attempt. A server asking for an hour would otherwise stall a CI pipeline
// far past any reasonable deadline; after the cap the retry budget decides.
const MaxRetryAfter = 60 * time.Second

// backoff returns the delay before retry n (0 for the first retry). rnd is in
// [0, 1). retryAfter, when positive, is a lower bound, itself capped by
// MaxRetryAfter.
func backoff(n int, rnd float64, retryAfter time.Duration) time.Duration {
	ceiling := BackoffCap
	// Shifting past the cap (or past 63 bits) is pointless; stop early.
	if n < 32 && BackoffBase<<n < BackoffCap {
		ceiling = BackoffBase << n
	}
	d := time.Duration(rnd * float64(ceiling))
	return max(d, min(retryAfter, MaxRetryAfter))
}

// retryableStatus lists the answers that say "not now" rather than "no".
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// ambiguousStatus lists the retryable answers after which the server may still
// have stored the job: the server failed while handling it, or a gateway lost
// the upstream's answer. 429 and 503 say the request was not processed.
func ambiguousStatus(status int) bool {
	switch status {
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Unreachable reports whether err says the server could not be reached at
// all, so that the request cannot have been received: the connection was
// refused, there is no route to the host, its name does not resolve, or TLS
// failed (a plain-HTTP server on an https URL, a certificate refused).
func Unreachable(err error) bool {
	var dns *net.DNSError
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.As(err, &dns) || permanentTransport(err)
}

// permanentTransport reports transport errors that another attempt cannot fix: a
// certificate that does not verify will not verify in a second either, and
// retrying would only hide the message behind a delay.
func permanentTransport(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	// A TLS record header error means the server answered in plain HTTP (or
	// something else) on an https URL; net/http says ErrSchemeMismatch when
	// that answer reads as HTTP.
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.Is(err, http.ErrSchemeMismatch)
}
