package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alexedwards/argon2id"
	"golang.org/x/crypto/bcrypt"
	"golang.org/x/term"

	"github.com/stet/stet/config"
)

// argon2Params are the settings of the argon2id hashes `stet passwd`
// makes, as OWASP recommends them: 19 MiB, two passes, one thread.
func argon2Params() *argon2id.Params {
	return &argon2id.Params{Memory: 19 << 10, Iterations: 2, Parallelism: 1, SaltLength: 16, KeyLength: 32}
}

// bcryptCost is the cost of the bcrypt hashes `stet passwd` makes.
const bcryptCost = 12

// maxPassword bounds what passwd reads, in bytes.
const maxPassword = 1024

func runPasswd(_ context.Context, e *env, args []string) error {
	return passwd(e, os.Stdin, args)
}

// passwd reads a password from in, the first line, or twice without echo
// when in is a terminal, and prints its hash for [[web.user]] password_hash.
func passwd(e *env, in io.Reader, args []string) error {
	fs := newFlags("passwd", e)
	algo := fs.String("algo", "argon2id", "hash: argon2id or bcrypt")
	pos, err := parseArgs(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs(pos); err != nil {
		return err
	}
	if *algo != "argon2id" && *algo != "bcrypt" {
		return fmt.Errorf("%w: -algo must be argon2id or bcrypt; got %q", errUsage, *algo)
	}
	pw, err := readPassword(e, in)
	if err != nil {
		return err
	}
	var hash string
	switch *algo {
	case "bcrypt":
		if len(pw) > 72 {
			return fmt.Errorf("%w: bcrypt uses at most 72 bytes of a password; this one has %d: use -algo argon2id", errUsage, len(pw))
		}
		var b []byte
		b, err = bcrypt.GenerateFromPassword([]byte(pw), bcryptCost)
		hash = string(b)
	default:
		hash, err = argon2id.CreateHash(pw, argon2Params())
	}
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	if err := config.CheckPasswordHash(hash); err != nil {
		return fmt.Errorf("hash password: %w", err) // a bug: config must accept what passwd makes
	}
	fmt.Fprintln(e.stdout, hash)
	return nil
}

// readPassword reads the password: typed twice without echo on a terminal,
// else the first line of in (without its line ending).
func readPassword(e *env, in io.Reader) (string, error) {
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptPassword(e, int(f.Fd()))
	}
	line, err := bufio.NewReaderSize(io.LimitReader(in, maxPassword+2), maxPassword+2).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read password: %w", err)
	}
	if !strings.HasSuffix(line, "\n") && len(line) > maxPassword {
		return "", fmt.Errorf("%w: the password is longer than %d bytes", errUsage, maxPassword)
	}
	pw := strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
	if pw == "" {
		return "", fmt.Errorf("%w: no password on standard input (give it as the first line)", errUsage)
	}
	return pw, nil
}

func promptPassword(e *env, fd int) (string, error) {
	fmt.Fprint(e.stderr, "Password: ")
	first, err := term.ReadPassword(fd)
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(e.stderr, "Again: ")
	second, err := term.ReadPassword(fd)
	fmt.Fprintln(e.stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	switch {
	case string(first) != string(second):
		return "", fmt.Errorf("%w: the two passwords differ", errUsage)
	case len(first) == 0:
		return "", fmt.Errorf("%w: empty password", errUsage)
	case len(first) > maxPassword:
		return "", fmt.Errorf("%w: the password is longer than %d bytes", errUsage, maxPassword)
	}
	return string(first), nil
}
