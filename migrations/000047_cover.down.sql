DROP TABLE covers;
