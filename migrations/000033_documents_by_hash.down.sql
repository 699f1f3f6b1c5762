DROP INDEX documents_sha256;
