DROP TABLE step_reminders;
