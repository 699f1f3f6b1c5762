-- Signed checkpoints of the audit chain (internal/checkpoint): its length and head hash at a
-- moment, signed with an Ed25519 key kept outside the database. Published for others to mirror,
-- they prove the chain's past: a rewritten chain no longer has the signed hash at that length.
-- The public key is kept beside each checkpoint so the register can say which key signed it;
-- verifiers take the key from their own copy, not from here.
CREATE TABLE checkpoints (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entries     bigint NOT NULL CHECK (entries >= 0),
    head        text NOT NULL CHECK (head ~ '^[0-9a-f]{64}$'),
    at          timestamptz NOT NULL,
    reason      text NOT NULL CHECK (reason IN ('daily', 'signature', 'manual')),
    key_id      text NOT NULL CHECK (key_id ~ '^[0-9a-f]{16}$'),
    public_key  bytea NOT NULL CHECK (octet_length(public_key) = 32),
    signature   bytea NOT NULL CHECK (octet_length(signature) = 64)
);
CREATE INDEX checkpoints_at_idx ON checkpoints (at);
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_change();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_change();
