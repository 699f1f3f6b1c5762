DROP TABLE static_files;
