DROP TRIGGER decisions_release_held_frozen ON decisions;
DROP FUNCTION refuse_release_held_change();
