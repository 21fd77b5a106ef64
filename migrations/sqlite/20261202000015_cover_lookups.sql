-- Every cover request looks its hash up (is it some book's cover, or an author's photo?):
-- indexed, instead of a scan of the books table per image.
CREATE INDEX books_cover_hash ON books (cover_hash);
CREATE INDEX authors_photo_hash ON authors (photo_hash);
