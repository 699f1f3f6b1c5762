DROP TABLE bulk_load;
