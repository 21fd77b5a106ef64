-- The reader's display settings (JSON of reader::layout::Settings), so they follow the reader
-- from device to device. Empty until first changed.
ALTER TABLE users ADD COLUMN reader_settings TEXT NOT NULL DEFAULT '';
