package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/decision-register/decisions/internal/checkpoint"
)

func runCheckpoint(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	sub := ""
	if len(args) > 0 {
		sub = args[0]
		args = args[1:]
	}
	switch sub {
	case "key":
		return checkpointKey(args, stdout)
	case "sign":
		return checkpointSign(ctx, args, getenv, stdout)
	}
	return fmt.Errorf("unknown checkpoint command %q: use key or sign", sub)
}

func checkpointKey(args []string, stdout io.Writer) error {
	fs := newFlagSet("checkpoint key", `checkpoint key --out FILE

Generates the Ed25519 private key that signs the audit chain's checkpoints, writes it to FILE
(PEM, readable by its owner only; an existing file is never overwritten) and prints the public
key. Keep the key off the database's machine and out of its backups: whoever holds both could
rewrite history and sign it. Point CHECKPOINT_KEY_FILE at it.`, stdout)
	out := fs.String("out", "", "the `FILE` to write the private key to (required)")
	if done, err := parseFlags(fs, args); done {
		return err
	}
	if *out == "" {
		fs.Usage()
		return errors.New("checkpoint key: --out is required")
	}
	pub, err := checkpoint.GenerateKey(*out)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s; key id %s; public key:\n%s", *out, checkpoint.KeyID(pub), checkpoint.MarshalPublicKey(pub))
	return nil
}

func checkpointSign(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	fs := newFlagSet("checkpoint sign", `checkpoint sign

Signs a checkpoint of the audit chain now, with the key CHECKPOINT_KEY_FILE names, and stores
it (the server also signs one daily and after every signature).`, stdout)
	if done, err := parseFlags(fs, args); done {
		return err
	}
	path := strings.TrimSpace(getenv("CHECKPOINT_KEY_FILE"))
	if path == "" {
		return errors.New("checkpoint sign: CHECKPOINT_KEY_FILE is not set")
	}
	signer, err := checkpoint.LoadSigner(path)
	if err != nil {
		return err
	}
	st, closeDB, err := openStore(ctx, getenv)
	if err != nil {
		return err
	}
	defer closeDB()
	c, err := st.AddCheckpoint(ctx, signer, time.Now(), checkpoint.ReasonManual)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "checkpoint %d: %s ending in %s, signed %s with key %s\n",
		c.ID, plural(int(c.Entries), "audit entry"), c.Head, c.At.Format(time.RFC3339), c.KeyID)
	return nil
}
