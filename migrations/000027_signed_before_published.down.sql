DROP TRIGGER decisions_signed ON decisions;
DROP FUNCTION refuse_unsigned_decision();
