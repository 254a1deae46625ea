package notify_test

import (
	"testing"

	"github.com/stet/stet/notify"
)

func TestSign(t *testing.T) {
	// Reference value: printf '{"id":"1"}' | openssl dgst -sha256 -hmac s3cret
	got := notify.Sign([]byte("s3cret"), []byte(`{"id":"1"}`))
	if want := "sha256=06988fa1cf02b8383043f7f2735f723f7bb350950d9214409cde13490d6a6373"; got != want {
		t.Errorf("Sign = %q, want %q", got, want)
	}
}

func TestVerify(t *testing.T) {
	secret, body := []byte("s3cret"), []byte(`{"id":"1"}`)
	sig := notify.Sign(secret, body)
	tests := []struct {
		name         string
		secret, body []byte
		sig          string
		want         bool
	}{
		{"valid", secret, body, sig, true},
		{"wrong secret", []byte("other"), body, sig, false},
		{"tampered body", secret, []byte(`{"id":"2"}`), sig, false},
		{"no prefix", secret, body, sig[len("sha256="):], false},
		{"other algorithm", secret, body, "sha1=" + sig[len("sha256="):], false},
		{"not hex", secret, body, "sha256=zz", false},
		{"truncated", secret, body, sig[:len(sig)-2], false},
		{"empty", secret, body, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notify.Verify(tt.secret, tt.body, tt.sig); got != tt.want {
				t.Errorf("Verify(%q, %q, %q) = %v, want %v", tt.secret, tt.body, tt.sig, got, tt.want)
			}
		})
	}
}
