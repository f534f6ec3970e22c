package apiclient

import (
	"fmt"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
)

// CheckBaseURL parses and checks the API URL given by the user (--api-url,
// DAESTRO_API_URL).
//
// It must be https, because the API key travels in every request. Plain http is
// allowed only to loopback hosts (localhost, 127.0.0.0/8, ::1), which is where the
// emulator runs. User info is refused: the key is sent as a Bearer token, and a
// password in the URL would be one more secret to leak. A query or fragment is
// refused because it would be silently dropped from every request. A path prefix
// is kept (an API behind a reverse proxy), except a last segment /v1: the client
// adds /v1 itself, so that one is a copy of an endpoint's URL. A URL without a
// scheme gets the one it most likely meant: http:// for loopback (the
// emulator), https:// for anything else.
//
// Error messages show the URL without user info, query or fragment: any of them
// may hold a key (https://KEY@host, ?api_key=KEY), and this check runs before
// the API key is known to the redactor.
func CheckBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("API URL is empty")
	}
	if lower := strings.ToLower(raw); !strings.Contains(raw, "://") && !strings.HasPrefix(lower, "http:") && !strings.HasPrefix(lower, "https:") {
		return nil, noScheme(raw)
	}
	u, err := url.Parse(raw)
	if err != nil {
		// *url.Error quotes the whole input, password included, and its
		// reason quotes a piece of it ("invalid port \":KEY\" after host"):
		// keep the reason's words only.
		reason := err
		if ue, ok := err.(*url.Error); ok {
			reason = ue.Err
		}
		words := strings.Join(strings.Fields(quoted.ReplaceAllString(reason.Error(), "")), " ")
		return nil, fmt.Errorf("API URL is not a valid URL: %s (the URL is not shown: it may hold a key)", words)
	}
	shown := shownURL(u)
	switch {
	case u.Scheme == "":
		return nil, fmt.Errorf("API URL %q has no scheme: write it as https://host", shown)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("API URL %q: scheme %q is not supported, use https", shown, u.Scheme)
	case u.Opaque != "" || u.Host == "":
		return nil, fmt.Errorf("API URL %q has no host: write it as %s://host", shown, u.Scheme)
	case u.User != nil:
		return nil, fmt.Errorf("API URL %q must not contain a user name or password: the API key is sent in the Authorization header", shown)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("API URL %q must not have a query or fragment", shown)
	case u.Scheme == "http" && !isLoopback(u.Hostname()):
		return nil, fmt.Errorf("API URL %q uses plain http, which would send the API key unencrypted: use https (plain http is allowed only to localhost, 127.0.0.0/8 and ::1)", shown)
	case endsInV1(u.Path):
		return nil, fmt.Errorf("API URL %q ends in /v1: omit /v1, which the tool adds to every request: %s", shown, shownURL(withoutV1(u)))
	}
	return u, nil
}

// noScheme is the error of a URL written without a scheme, with the URL it
// most likely meant when that can be told.
func noScheme(raw string) error {
	u, err := url.Parse("http://" + raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("API URL has no scheme: write it as https://host (the URL is not shown: it may hold a key)")
	}
	if !isLoopback(u.Hostname()) {
		u.Scheme = "https"
	}
	if endsInV1(u.Path) {
		u = withoutV1(u)
	}
	return fmt.Errorf("API URL %q has no scheme: did you mean %s?", strings.TrimPrefix(shownURL(&url.URL{Host: u.Host, Path: u.Path}), "//"), shownURL(u))
}

// endsInV1 reports whether a path's last segment is v1.
func endsInV1(path string) bool {
	p := strings.TrimSuffix(path, "/")
	return p == "/v1" || strings.HasSuffix(p, "/v1")
}

// withoutV1 is u with the last segment of its path, v1, removed.
func withoutV1(u *url.URL) *url.URL {
	c := *u
	c.Path = strings.TrimSuffix(strings.TrimSuffix(c.Path, "/"), "v1")
	c.Path = strings.TrimSuffix(c.Path, "/")
	c.RawPath = ""
	return &c
}

// quoted matches the pieces of input an error of net/url quotes.
var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// shownURL is u as error messages show it: scheme, host and path only.
func shownURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery, c.ForceQuery, c.Fragment, c.RawFragment = "", false, "", ""
	return c.String()
}

// isLoopback reports whether host certainly names this machine. Other names that
// often resolve to it ("foo.localhost", an /etc/hosts entry) are not trusted: what
// they resolve to is outside this program's control.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return false
	}
	// An IPv6 zone ("::1%lo0") does not change which address it is.
	return ip.WithZone("").Unmap().IsLoopback()
}
