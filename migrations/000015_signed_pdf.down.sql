DROP TABLE signed_pdf_jobs;
