package config_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"

	"github.com/stet/stet/config"
)

// hashes makes one hash of each accepted kind, and some that are refused.
type hashes struct {
	bcrypt, argon, cheapBcrypt, bigArgon, argon2i string
}

func makeHashes(t *testing.T) hashes {
	t.Helper()
	b, err := bcrypt.GenerateFromPassword([]byte("secret"), config.MinBcryptCost)
	if err != nil {
		t.Fatal(err)
	}
	cheap, err := bcrypt.GenerateFromPassword([]byte("secret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	a, err := argon2id.CreateHash("secret", &argon2id.Params{Memory: 19456, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32})
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Replace(a, "m=19456", "m=4194304", 1) // 4 GiB per login
	return hashes{bcrypt: string(b), argon: a, cheapBcrypt: string(cheap), bigArgon: big,
		argon2i: strings.Replace(a, "$argon2id$", "$argon2i$", 1)}
}

func TestWebValid(t *testing.T) {
	h := makeHashes(t)
	tests := []struct {
		name, doc string
		check     func(t *testing.T, w config.Web)
	}{
		{"defaults", "", func(t *testing.T, w config.Web) {
			if w.Auth != config.AuthNone || w.SessionTTL != config.DefaultSessionTTL || w.BearerToken() != "" {
				t.Errorf("web = %+v, want auth none, session_ttl 12h, no token", w)
			}
		}},
		{"none on loopback", "listen = \"127.0.0.1:8080\"", nil},
		{"none on localhost", "listen = \"localhost:8080\"", nil},
		{"none on ::1", "listen = \"[::1]:8080\"", nil},
		{"none everywhere, allowed behind a proxy", "listen = \":8080\"\nallow_unauthenticated = true", nil},
		{"token", "listen = \"0.0.0.0:8080\"\nauth = \"token\"\ntoken = \"0123456789abcdef\"", func(t *testing.T, w config.Web) {
			if got := w.BearerToken(); got != "0123456789abcdef" {
				t.Errorf("BearerToken() = %q", got)
			}
		}},
		{"users", fmt.Sprintf("listen = \":8080\"\nauth = \"users\"\nhosts = [\"stet.example.org\", \"*.example.net\", \"192.0.2.1\"]\nsession_ttl = \"1d\"\n"+
			"[[web.user]]\nname = \"ana\"\npassword_hash = %q\n[[web.user]]\nname = \"bo\"\npassword_hash = %q\n", h.bcrypt, h.argon),
			func(t *testing.T, w config.Web) {
				got := w.UserHashes()
				if len(got) != 2 || got["ana"] != h.bcrypt || got["bo"] != h.argon {
					t.Errorf("UserHashes() = %v", got)
				}
				if w.SessionTTL.D().Hours() != 24 {
					t.Errorf("session_ttl = %v", w.SessionTTL)
				}
			}},
		{"users and a token for API clients", fmt.Sprintf("auth = \"users\"\ntoken = \"0123456789abcdef\"\n[[web.user]]\nname = \"ana\"\npassword_hash = %q\n", h.bcrypt), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := config.Parse(strings.NewReader("[web]\n"+tt.doc), "c.toml")
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, cfg.Web)
			}
		})
	}
}

func TestWebInvalid(t *testing.T) {
	h := makeHashes(t)
	user := func(name, hash string) string {
		return fmt.Sprintf("[[web.user]]\nname = %q\npassword_hash = %q\n", name, hash)
	}
	tests := []struct {
		name, doc, want string
	}{
		{"no auth on every interface", "[web]\nlisten = \"0.0.0.0:8080\"",
			`c.toml:2:10: web.listen: "0.0.0.0:8080" is not a loopback address and web.auth is "none"`},
		{"no auth on an empty host", "[web]\nlisten = \":8080\"\nauth = \"none\"", `c.toml:2:10: web.listen: ":8080" is not a loopback address`},
		{"no auth on a name that is not localhost", "[web]\nlisten = \"stet.example.org:80\"", `web.listen: "stet.example.org:80" is not a loopback address`},
		{"unknown mode", "[web]\nauth = \"basic\"", `c.toml:2:8: web.auth: want "none", "token" or "users", got "basic"`},
		{"token mode without token", "[web]\nauth = \"token\"", `c.toml:2:8: web.auth: "token" needs web.token or web.token_file`},
		{"short token", "[web]\nauth = \"token\"\ntoken = \"hunter2\"", `c.toml:3:9: web.token: the token has 7 characters, fewer than 16`},
		{"token with white space", "[web]\nauth = \"token\"\ntoken = \"0123456789 abcdef\"", `web.token: the token contains white space`},
		{"token without auth", "[web]\ntoken = \"0123456789abcdef\"", `c.toml:2:9: web.token: is set but web.auth is "none": set web.auth = "token"`},
		{"token and token file", "[web]\nauth = \"token\"\ntoken = \"0123456789abcdef\"\ntoken_file = \"t\"", `c.toml:4:14: web.token_file: set web.token or web.token_file, not both`},
		{"missing token file", "[web]\nauth = \"token\"\ntoken_file = \"/nonexistent/stet-token\"", `c.toml:3:14: web.token_file: open /nonexistent/stet-token: no such file or directory`},
		{"users mode without users", "[web]\nauth = \"users\"", `c.toml:2:8: web.auth: "users" needs at least one [[web.user]]`},
		{"users without users mode", "[web]\n" + user("ana", h.bcrypt), `c.toml:2:1: web.user[0]: users are set but web.auth is "none"`},
		{"plain password instead of a hash", "[web]\nauth = \"users\"\n" + user("ana", "correct horse battery"),
			`c.toml:5:17: web.user[0].password_hash: not a password hash (want bcrypt "$2b$..." or argon2id "$argon2id$v=19$..."): make one with ` + "`stet passwd`"},
		{"cheap bcrypt", "[web]\nauth = \"users\"\n" + user("ana", h.cheapBcrypt), `c.toml:5:17: web.user[0].password_hash: bcrypt cost 4 is out of range 10..15`},
		{"broken bcrypt", "[web]\nauth = \"users\"\n" + user("ana", h.bcrypt[:40]), `web.user[0].password_hash: not a valid bcrypt hash`},
		{"argon2 memory bomb", "[web]\nauth = \"users\"\n" + user("ana", h.bigArgon), `web.user[0].password_hash: argon2id memory m=4194304 KiB is out of range 7168..262144`},
		{"argon2i", "[web]\nauth = \"users\"\n" + user("ana", h.argon2i), `web.user[0].password_hash: only the argon2id variant`},
		{"argon2id of another version", "[web]\nauth = \"users\"\n" + user("ana", strings.Replace(h.argon, "v=19", "v=16", 1)), `web.user[0].password_hash: not a valid argon2id hash`},
		{"user without hash", "[web]\nauth = \"users\"\n[[web.user]]\nname = \"ana\"", `c.toml:3:1: web.user[0].password_hash: required`},
		{"user without name", "[web]\nauth = \"users\"\n[[web.user]]\npassword_hash = \"" + h.bcrypt + "\"", `web.user[0].name: required`},
		{"duplicate user", "[web]\nauth = \"users\"\n" + user("ana", h.bcrypt) + user("ana", h.argon),
			`c.toml:7:8: web.user[1].name: duplicate of web.user[0].name at c.toml:4:8`},
		{"host with a port", "[web]\nhosts = [\"stet.example.org:8080\"]", `c.toml:2:10: web.hosts[0]: "stet.example.org:8080" is not a host name`},
		{"host with a scheme", "[web]\nhosts = [\"ok.example\", \"https://stet.example.org\"]", `web.hosts[1]: "https://stet.example.org" is not a host name`},
		{"session too short", "[web]\nsession_ttl = \"10s\"", `c.toml:2:15: web.session_ttl: 10s is out of range 1m..90d`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := config.Parse(strings.NewReader(tt.doc), "c.toml")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error\n got: %v\nwant: %s", err, tt.want)
			}
			if strings.Contains(err.Error(), "correct horse") || strings.Contains(err.Error(), h.bcrypt[7:]) {
				t.Errorf("error shows the password or its hash: %v", err)
			}
		})
	}
}

// TestWebTokenFile reads the token from a file named relative to the
// config file's folder, not the working directory.
func TestWebTokenFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "web-token"), []byte("0123456789abcdef0123\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "stet.toml")
	if err := os.WriteFile(path, []byte("[web]\nauth = \"token\"\ntoken_file = \"web-token\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Web.BearerToken(), "0123456789abcdef0123"; got != want {
		t.Errorf("BearerToken() = %q, want %q (without the newline)", got, want)
	}
	if err := os.WriteFile(filepath.Join(dir, "web-token"), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = config.Load(path)
	if want := path + ":3:14: web.token_file: the token has 5 characters"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("short token file: %v, want %s", err, want)
	}
}

// TestWebSecretsNotPrinted: a Config printed with %v, %+v or %#v (into a
// log or a test failure) shows neither the token nor a password hash.
func TestWebSecretsNotPrinted(t *testing.T) {
	h := makeHashes(t)
	doc := fmt.Sprintf("[web]\nauth = \"users\"\ntoken = \"tok-0123456789abcdef\"\n[[web.user]]\nname = \"ana\"\npassword_hash = %q\n", h.argon)
	cfg, err := config.Parse(strings.NewReader(doc), "c.toml")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v"} {
		out := fmt.Sprintf(format, cfg.Web)
		if strings.Contains(out, "tok-0123456789abcdef") || strings.Contains(out, h.argon[20:]) {
			t.Errorf("%s of the web config shows a secret: %s", format, out)
		}
	}
}

func TestLoopbackListen(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:8080", true},
		{"127.0.0.2:8080", true},
		{"[::1]:8080", true},
		{"localhost:8080", true},
		{"LOCALHOST:8080", true},
		{"[::ffff:127.0.0.1]:8080", true},
		{":8080", false},
		{"0.0.0.0:8080", false},
		{"[::]:8080", false},
		{"192.168.1.10:8080", false},
		{"stet.example.org:8080", false},
		{"localhost.example.org:8080", false},
		{"127.0.0.1", false}, // no port: not an address at all
	}
	for _, tt := range tests {
		if got := config.LoopbackListen(tt.addr); got != tt.want {
			t.Errorf("LoopbackListen(%q) = %v, want %v", tt.addr, got, tt.want)
		}
	}
}

func TestWebExposed(t *testing.T) {
	none := config.Default().Web
	if err := none.Exposed("0.0.0.0:8080"); err == nil || !strings.Contains(err.Error(), "allow_unauthenticated") {
		t.Errorf("auth none on 0.0.0.0: %v, want a refusal naming allow_unauthenticated", err)
	}
	if err := none.Exposed("127.0.0.1:0"); err != nil {
		t.Errorf("auth none on loopback: %v", err)
	}
	token := none
	token.Auth = config.AuthToken
	if err := token.Exposed("0.0.0.0:8080"); err != nil {
		t.Errorf("auth token on 0.0.0.0: %v", err)
	}
	open := none
	open.AllowUnauthenticated = true
	if err := open.Exposed(":8080"); err != nil {
		t.Errorf("allow_unauthenticated on :8080: %v", err)
	}
}
