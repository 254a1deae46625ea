package config

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
)

// Wants reports whether the webhook subscribes to eventType. No events
// means all; "*" matches anything and "change.*" any "change." type.
func (w Webhook) Wants(eventType string) bool {
	if len(w.Events) == 0 {
		return true
	}
	for _, e := range w.Events {
		if e == "*" || e == eventType {
			return true
		}
		if prefix, ok := strings.CutSuffix(e, "*"); ok && strings.HasSuffix(prefix, ".") &&
			strings.HasPrefix(eventType, prefix) {
			return true
		}
	}
	return false
}

// Subscriber returns the stable identifier of the entry, which the outbox
// records instead of the URL and which is safe to log: Name if set, else
// "webhook-" and the first 12 hex digits of the SHA-256 of the URL's key
// (URLKey of NormalizeURL, or the URL as written if it is invalid), a zero
// byte and Secret. Respelling the URL's scheme or host case, default port,
// trailing slash or fragment keeps the identifier; changing the secret or
// the address makes a new subscriber.
func (w Webhook) Subscriber() string {
	if w.Name != "" {
		return w.Name
	}
	id := w.URL
	if n, err := NormalizeURL(w.URL); err == nil {
		id = URLKey(n)
	}
	sum := sha256.Sum256([]byte(id + "\x00" + w.Secret))
	return "webhook-" + hex.EncodeToString(sum[:6])
}

// LogURL returns the part of the URL that is safe to log:
// "scheme://host[:port]", normalised, without the userinfo, path and query,
// which can carry credentials. It returns "" for an invalid URL.
func (w Webhook) LogURL() string {
	n, err := NormalizeURL(w.URL)
	if err != nil {
		return ""
	}
	u, err := url.Parse(n)
	if err != nil {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// validateWebhooks checks each entry, and that no two entries are the same
// subscriber: the same URL key and secret, or the same name.
func (c *Config) validateWebhooks(p *problems) {
	key := func(i int) string { return fmt.Sprintf("webhook[%d]", i) }
	targets := make(map[string]int, len(c.Webhooks))     // URL key and secret -> entry
	subscribers := make(map[string]int, len(c.Webhooks)) // Subscriber() -> entry
	for i, w := range c.Webhooks {
		n, ok := w.validate(p, key(i))
		if ok {
			target := URLKey(n) + "\x00" + w.Secret
			if j, dup := targets[target]; dup {
				p.add(key(i)+".url", "duplicate of %s.url%s: same URL and secret", key(j), p.at(key(j)+".url"))
				continue
			}
			targets[target] = i
		}
		sub := w.Subscriber()
		j, dup := subscribers[sub]
		switch {
		case !dup:
			subscribers[sub] = i
		case w.Name != "" && c.Webhooks[j].Name != "":
			p.add(key(i)+".name", "duplicate of %s.name%s", key(j), p.at(key(j)+".name"))
		default:
			p.add(key(i), "subscriber name %q is also that of %s%s", sub, key(j), p.at(key(j)))
		}
	}
}

// validate checks the entry's URL, name and events; it returns the normalised
// URL when the URL is valid.
func (w Webhook) validate(p *problems, key string) (normalized string, ok bool) {
	if w.URL == "" {
		p.add(key+".url", "required")
	} else if n, err := NormalizeURL(w.URL); err != nil {
		p.add(key+".url", "%w", err)
	} else {
		normalized, ok = n, true
	}
	if err := checkSecret(w.Secret); err != nil {
		p.add(key+".secret", "%w", err)
	}
	if w.Name != "" && (strings.TrimSpace(w.Name) != w.Name || strings.ContainsFunc(w.Name, unicode.IsControl)) {
		p.add(key+".name", "%q has surrounding white space or control characters", w.Name)
	}
	for i, e := range w.Events {
		if !validEvent(e) {
			p.add(fmt.Sprintf("%s.events[%d]", key, i), "unknown event %q; want one of %s, a \"prefix.*\" of them or \"*\"",
				e, strings.Join(eventTypes, ", "))
		}
	}
	for i, c := range w.Classes {
		if !slices.Contains(ChangeClasses, c) {
			p.add(fmt.Sprintf("%s.classes[%d]", key, i), "unknown class %q; want one of %s", c, strings.Join(ChangeClasses, ", "))
		}
	}
	return normalized, ok
}

// WantsChange reports whether the webhook subscribes to a change event of
// eventType carrying classes: Wants(eventType), and, when the entry lists
// classes, at least one of them.
func (w Webhook) WantsChange(eventType string, classes []string) bool {
	if !w.Wants(eventType) {
		return false
	}
	return len(w.Classes) == 0 || slices.ContainsFunc(classes, func(c string) bool { return slices.Contains(w.Classes, c) })
}

// checkSecret accepts any secret, except one in the Standard Webhooks form
// ("whsec_" and the base64 of the key) whose base64 does not decode to a
// key. Its message never repeats the secret. The notify package decodes
// the key the same way when it signs.
func checkSecret(secret string) error {
	enc, ok := strings.CutPrefix(secret, "whsec_")
	if !ok {
		return nil
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return fmt.Errorf(`a secret starting "whsec_" must continue with the base64 of the key (Standard Webhooks form): %w`, err)
	}
	if len(key) == 0 {
		return errors.New(`a secret starting "whsec_" must continue with the base64 of the key (Standard Webhooks form); it is empty`)
	}
	return nil
}

func validEvent(e string) bool {
	if e == "*" || slices.Contains(eventTypes, e) {
		return true
	}
	prefix, ok := strings.CutSuffix(e, ".*")
	return ok && slices.ContainsFunc(eventTypes, func(t string) bool { return strings.HasPrefix(t, prefix+".") })
}
