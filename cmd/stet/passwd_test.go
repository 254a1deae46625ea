package main

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"

	"github.com/stet/stet/config"
)

func TestPasswd(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		prefix      string
	}{
		{"argon2id by default", "correct horse\n", nil, "$argon2id$v=19$m=19456,t=2,p=1$"},
		{"bcrypt", "correct horse\n", []string{"-algo", "bcrypt"}, "$2a$12$"},
		{"CRLF line ending", "correct horse\r\n", nil, "$argon2id$"},
		{"no line ending", "correct horse", []string{"-algo", "bcrypt"}, "$2a$12$"},
		{"only the first line", "correct horse\nsecond line\n", nil, "$argon2id$"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if err := passwd(&env{stdout: &out, stderr: &errOut}, strings.NewReader(tt.stdin), tt.args); err != nil {
				t.Fatal(err)
			}
			hash := strings.TrimSuffix(out.String(), "\n")
			if !strings.HasPrefix(hash, tt.prefix) || strings.Contains(hash, "\n") {
				t.Fatalf("hash %q, want one line starting %q", hash, tt.prefix)
			}
			if !verifies(hash, "correct horse") || verifies(hash, "correct horse\r") || verifies(hash, "Correct horse") {
				t.Errorf("hash %q does not verify exactly the password typed", hash)
			}
			// The config accepts it as it is printed.
			doc := fmt.Sprintf("[web]\nauth = \"users\"\n[[web.user]]\nname = \"ana\"\npassword_hash = %q\n", hash)
			if _, err := config.Parse(strings.NewReader(doc), "c.toml"); err != nil {
				t.Errorf("config refuses the hash: %v", err)
			}
			if strings.Contains(out.String()+errOut.String(), "correct horse") {
				t.Error("the password was printed")
			}
		})
	}
}

func verifies(hash, pw string) bool {
	if strings.HasPrefix(hash, "$argon2id$") {
		ok, err := argon2id.ComparePasswordAndHash(pw, hash)
		return err == nil && ok
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

func TestPasswdRefuses(t *testing.T) {
	tests := []struct {
		name, stdin string
		args        []string
		want        string
	}{
		{"empty input", "", nil, "no password on standard input"},
		{"empty line", "\nsecret\n", nil, "no password on standard input"},
		{"unknown algorithm", "secret\n", []string{"-algo", "md5"}, "-algo must be argon2id or bcrypt"},
		{"too long for bcrypt", strings.Repeat("x", 73) + "\n", []string{"-algo", "bcrypt"}, "bcrypt uses at most 72 bytes"},
		{"too long", strings.Repeat("x", 2000) + "\n", nil, "longer than 1024 bytes"},
		{"an argument", "secret\n", []string{"ana"}, "unexpected argument"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := passwd(&env{stdout: &out, stderr: &out}, strings.NewReader(tt.stdin), tt.args)
			if !errors.Is(err, errUsage) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want a usage error with %q", err, tt.want)
			}
			if strings.Contains(out.String(), "$") {
				t.Errorf("printed a hash: %q", out.String())
			}
		})
	}
}

// TestPasswdCommand: stet passwd is a command, and its usage errors exit 2.
func TestPasswdCommand(t *testing.T) {
	if code, _, stderr := run(t, "passwd", "-algo", "md5"); code != 2 || !strings.Contains(stderr, "usage: stet passwd") {
		t.Errorf("stet passwd -algo md5: exit %d, %q; want 2 with usage", code, stderr)
	}
}
