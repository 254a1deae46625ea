package notify_test

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/stet/stet/notify"
)

// The specification's test vector (also the reference library's).
const (
	specSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID     = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specBody   = `{"test": 2432232314}`
	specSig    = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
)

func TestSignStandard(t *testing.T) {
	key, err := notify.SigningKey(specSecret)
	if err != nil {
		t.Fatalf("SigningKey: %v", err)
	}
	if got := notify.SignStandard(key, specID, time.Unix(1614265330, 0), []byte(specBody)); got != specSig {
		t.Errorf("SignStandard = %q, want the specification's %q", got, specSig)
	}
}

func TestSigningKey(t *testing.T) {
	tests := []struct {
		secret  string
		want    string
		wantErr bool
	}{
		{"a plain secret", "a plain secret", false},
		{"whsec_c2VjcmV0", "secret", false},
		{"whsec_c2VjcmV0!", "", true}, // not base64
		{"whsec_c2VjcmV0=", "", true}, // bad padding
		{"whsec_", "", true},          // no key
		{"WHSEC_c2VjcmV0", "WHSEC_c2VjcmV0", false},
	}
	for _, tt := range tests {
		got, err := notify.SigningKey(tt.secret)
		if tt.wantErr {
			if !errors.Is(err, notify.ErrBadSecret) {
				t.Errorf("SigningKey(%q) error = %v, want ErrBadSecret", tt.secret, err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("SigningKey(%q) = %q, %v; want %q", tt.secret, got, err, tt.want)
		}
	}
}

// TestStandardWebhooksReference has the specification's reference Go
// library verify real deliveries, and reject a tampered body, a replayed
// old delivery and a wrong key.
func TestStandardWebhooksReference(t *testing.T) {
	srv, got := receiver(t, http.StatusNoContent, nil)
	send := func(t *testing.T, secret string, now time.Time) received {
		t.Helper()
		w := &notify.Webhook{URL: srv.URL, AllowPrivate: true, Secret: secret, Now: func() time.Time { return now }}
		if err := w.Send(t.Context(), notify.EventChanged, "evt-42", []byte(body)); err != nil {
			t.Fatalf("Send: %v", err)
		}
		return <-got
	}
	whsec, err := standardwebhooks.NewWebhook(specSecret)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := standardwebhooks.NewWebhookRaw([]byte("a plain secret"))
	if err != nil {
		t.Fatal(err)
	}

	t.Run("whsec secret", func(t *testing.T) {
		r := send(t, specSecret, time.Now())
		if err := whsec.Verify(r.body, r.header); err != nil {
			t.Errorf("reference Verify of a delivery: %v", err)
		}
		if id := r.header.Get(standardwebhooks.HeaderWebhookID); id != "evt-42" {
			t.Errorf("webhook-id = %q, want the event id evt-42", id)
		}
		// X-Stet-Signature keeps its form: keyed with the secret as written.
		if !notify.Verify([]byte(specSecret), r.body, r.header.Get("X-Stet-Signature")) {
			t.Errorf("X-Stet-Signature %q does not verify with the secret as written", r.header.Get("X-Stet-Signature"))
		}
		tampered := append([]byte(nil), r.body...)
		tampered[len(tampered)-2] ^= 1
		if err := whsec.Verify(tampered, r.header); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
			t.Errorf("reference Verify of a tampered body = %v, want ErrNoMatchingSignature", err)
		}
		other := r.header.Clone()
		other.Set(standardwebhooks.HeaderWebhookID, "evt-43")
		if err := whsec.Verify(r.body, other); !errors.Is(err, standardwebhooks.ErrNoMatchingSignature) {
			t.Errorf("reference Verify with another webhook-id = %v, want ErrNoMatchingSignature", err)
		}
		if err := raw.Verify(r.body, r.header); err == nil {
			t.Error("reference Verify with another key accepted the delivery")
		}
	})
	t.Run("old timestamp", func(t *testing.T) {
		sent := time.Now().Add(-10 * time.Minute)
		r := send(t, specSecret, sent)
		if ts := r.header.Get(standardwebhooks.HeaderWebhookTimestamp); ts != strconv.FormatInt(sent.Unix(), 10) {
			t.Errorf("webhook-timestamp = %q, want the send time %d", ts, sent.Unix())
		}
		if err := whsec.Verify(r.body, r.header); !errors.Is(err, standardwebhooks.ErrMessageTooOld) {
			t.Errorf("reference Verify of a 10-minute-old delivery = %v, want ErrMessageTooOld", err)
		}
		if err := whsec.VerifyIgnoringTimestamp(r.body, r.header); err != nil {
			t.Errorf("the old delivery's signature itself should be valid: %v", err)
		}
	})
	t.Run("plain secret", func(t *testing.T) {
		r := send(t, "a plain secret", time.Now())
		if err := raw.Verify(r.body, r.header); err != nil {
			t.Errorf("reference Verify (raw key) of a delivery: %v", err)
		}
		if !notify.Verify([]byte("a plain secret"), r.body, r.header.Get("X-Stet-Signature")) {
			t.Errorf("X-Stet-Signature %q does not verify", r.header.Get("X-Stet-Signature"))
		}
	})
	t.Run("no secret", func(t *testing.T) {
		r := send(t, "", time.Now())
		if id, ts := r.header.Get(notify.HeaderID), r.header.Get(notify.HeaderTimestamp); id != "evt-42" || ts == "" {
			t.Errorf("webhook-id, webhook-timestamp = %q, %q; want evt-42 and a time", id, ts)
		}
		if sig, ok := r.header[http.CanonicalHeaderKey(notify.HeaderSignature)]; ok {
			t.Errorf("webhook-signature sent without a secret: %q", sig)
		}
	})
}

func TestSendBadSecret(t *testing.T) {
	srv, got := receiver(t, http.StatusNoContent, nil)
	w := &notify.Webhook{URL: srv.URL + "/hook?token=t0ken", AllowPrivate: true, Secret: "whsec_sekrit!!"}
	err := w.Send(t.Context(), notify.EventChanged, "evt-1", []byte(body))
	if !errors.Is(err, notify.ErrBadSecret) {
		t.Fatalf("Send with a bad whsec_ secret = %v, want ErrBadSecret", err)
	}
	select {
	case <-got:
		t.Error("a delivery that could not be signed was sent")
	default:
	}
	if s := err.Error(); strings.Contains(s, "sekrit") || strings.Contains(s, "t0ken") {
		t.Errorf("error %q names the secret or the URL's query", s)
	}
}
