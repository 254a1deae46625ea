package notify

import (
	"cmp"
	"net/url"
	"slices"
	"strings"
)

// RedactURL returns the scheme://host[:port] of a webhook URL: the only part
// of it that is safe to log or store, since userinfo, path and query may
// carry credentials (Slack-style hooks keep their token in the path). An
// unparsable URL gives "(invalid URL)".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(invalid URL)"
	}
	return u.Scheme + "://" + u.Host
}

// sendError is a failed Send. It names the webhook by RedactURL only, and
// its message is scrubbed of the URL's secret parts in case a cause quotes
// them; errors.Is and errors.As still reach the cause.
type sendError struct {
	msg string
	err error
}

func (e *sendError) Error() string { return e.msg }
func (e *sendError) Unwrap() error { return e.err }

// wrapError turns a request failure into a *sendError. It drops the
// *url.Error that net/http wraps around every failure, which quotes the
// whole URL.
func wrapError(raw string, err error) error {
	for {
		ue, ok := err.(*url.Error)
		if !ok {
			break
		}
		err = ue.Err
	}
	return &sendError{msg: "webhook " + RedactURL(raw) + ": " + scrub(raw, err.Error()), err: err}
}

// scrub replaces every secret-bearing part of the URL raw found in msg.
func scrub(raw, msg string) string {
	secrets := []string{raw}
	if u, err := url.Parse(raw); err == nil {
		secrets = append(secrets, u.String(), u.User.String(), u.User.Username(),
			u.EscapedPath(), u.Path, u.RawQuery, u.Fragment)
		if p, ok := u.User.Password(); ok {
			secrets = append(secrets, p)
		}
	}
	// Longest first, so a part inside another is not left half-replaced;
	// "/" and single characters are not secrets and would mangle the text.
	slices.SortFunc(secrets, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	for _, s := range secrets {
		if len(s) > 1 {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return msg
}
