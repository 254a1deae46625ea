package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

const signaturePrefix = "sha256="

// Standard Webhooks (https://www.standardwebhooks.com/) headers. Send sets
// all three on every delivery that has a secret, and the first two on
// every delivery.
const (
	// HeaderID is the event id: the same on every attempt to deliver one
	// event, so a receiver drops the duplicates of a retry by it.
	HeaderID = "webhook-id"
	// HeaderTimestamp is when the attempt was sent, in Unix seconds.
	HeaderTimestamp = "webhook-timestamp"
	// HeaderSignature is "v1," and the base64 HMAC-SHA256 of
	// id "." timestamp "." body (see SignStandard).
	HeaderSignature = "webhook-signature"
)

// SecretPrefix marks a secret in the Standard Webhooks form: the prefix
// followed by the base64 of the key.
const SecretPrefix = "whsec_"

// ErrBadSecret is returned by SigningKey for a "whsec_" secret that does
// not decode.
var ErrBadSecret = errors.New(`secret starting "whsec_" is not valid base64 after the prefix`)

// Sign returns the X-Stet-Signature value for body: "sha256=" followed by
// the hex HMAC-SHA256 of body keyed with secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return signaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature is Sign(secret, body). The comparison
// takes the same time wherever the first difference is, so a receiver
// using it leaks nothing about the expected signature.
func Verify(secret, body []byte, signature string) bool {
	hexSum, ok := strings.CutPrefix(signature, signaturePrefix)
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSum)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// SigningKey returns the key of the webhook-signature for a configured
// secret. A secret in the Standard Webhooks form, "whsec_" and base64, is
// that base64 decoded (an error wrapping ErrBadSecret if it does not
// decode, or decodes to nothing); any other secret is used as its bytes,
// as X-Stet-Signature always used it. The error never contains the secret.
func SigningKey(secret string) ([]byte, error) {
	enc, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return []byte(secret), nil
	}
	key, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSecret, err)
	}
	if len(key) == 0 {
		return nil, fmt.Errorf("%w: no key after the prefix", ErrBadSecret)
	}
	return key, nil
}

// SignStandard returns the webhook-signature value of one delivery, as the
// Standard Webhooks specification defines it: "v1," followed by the
// standard base64 of the HMAC-SHA256, keyed with key (see SigningKey), of
// id, ".", the Unix seconds of sent, "." and body.
func SignStandard(key []byte, id string, sent time.Time, body []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + strconv.FormatInt(sent.Unix(), 10) + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}
