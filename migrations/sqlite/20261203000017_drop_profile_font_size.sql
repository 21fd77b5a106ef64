-- The profile's reader text size was never used by the reader, whose own settings
-- (reading/settings, synced across devices) hold the text size: the column goes.
ALTER TABLE users DROP COLUMN reader_font_size;
