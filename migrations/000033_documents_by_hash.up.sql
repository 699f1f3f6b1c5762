-- The document store's sweep asks, for each stored file, whether any document names its hash
-- (internal/store/blobs.go); this answers that without reading the table.
CREATE INDEX documents_sha256 ON documents (sha256);
