DROP TABLE signed_pdfs;
DROP TABLE signed_pdf_jobs;
